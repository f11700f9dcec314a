"""pytest-platform: stream pytest results (RunResult v1) to the pytest-platform Redis stream.

Loaded through the ``pytest11`` entry point ``pytest_platform`` once the package is installed
(``-p no:pytest_platform`` disables it for one run).

* Active only when a Redis URL is set (``--platform-redis-url``, ``PYTEST_PLATFORM_REDIS_URL``
  or ``REDIS_URL``) and ``PYTEST_PLATFORM`` is not a false word; a silent no-op otherwise.
* The test process never waits on the network while tests run: hooks only record results in
  memory; a daemon thread sends them. ``pytest_unconfigure`` waits for that thread at most the
  stop timeout (default 10 s) and never changes the exit code or raises.
* When Redis cannot be reached the whole run is written to a spool directory as
  ``{"type": "run", "data": <RunResult>}`` and sent by the next session or by
  ``python -m pytest_platform flush``.
* Identity, limits and boolean words come from ``contract.json``, the file the Node reporters
  read too.
* ``--platform-quarantine``: failures of tests the platform lists as quarantined do not fail the
  session; ``--platform-shard K/N``: keep shard K of N, packed by recorded durations. Both read
  what the platform publishes in Redis once per session, within 1 s.

Only the standard library and pytest are needed; redis-py is used when installed, for URLs the
built-in client does not handle.
"""

from .plugin import pytest_addoption, pytest_configure

__version__ = "0.1.0"
__all__ = ["pytest_addoption", "pytest_configure", "__version__"]
