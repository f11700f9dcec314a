"""The plugin's settings: command-line options over environment variables over defaults."""

from __future__ import annotations

import os

from .contract import VARIABLES
from .sharding import SHARD_BY, parse_shard
from .spool import default_spool_dir
from .variables import env_bool, env_float, env_value

DEFAULT_STREAM = "pytest-platform:results"
DEFAULT_STOP_TIMEOUT = 10.0
DEFAULT_BATCH_SIZE = 200
DEFAULT_BATCH_SECONDS = 2.0
DEFAULT_HEARTBEAT_SECONDS = 30.0


def plugin_enabled(environ=None) -> bool:
    """False when ``PYTEST_PLATFORM`` is a false word: then the plugin does nothing at all."""
    return env_bool(VARIABLES["enabled"], True, environ)


def redis_url(option=None, environ=None):
    """``--platform-redis-url``, else ``PYTEST_PLATFORM_REDIS_URL``, else ``REDIS_URL``."""
    if option and option.strip():
        return option.strip()
    for name in VARIABLES["redisUrl"]:
        v = env_value(name, environ)
        if v:
            return v
    return None


def step_summary_path(environ=None):
    """``GITHUB_STEP_SUMMARY`` unless ``PYTEST_PLATFORM_SUMMARY`` is a false word."""
    if not env_bool(VARIABLES["summary"], True, environ):
        return None
    return env_value(VARIABLES["stepSummaryFile"], environ)


def reporter_options(option, environ=None):
    """Everything the reporter needs, from pytest's ``config.option`` and the environment."""
    environ = environ if environ is not None else os.environ
    stop = getattr(option, "platform_stop_timeout", None)
    if stop is None or stop < 0:
        stop = env_float("PYTEST_PLATFORM_STOP_TIMEOUT", DEFAULT_STOP_TIMEOUT, environ)
    live = env_bool("PYTEST_PLATFORM_LIVE", True, environ) and not getattr(option, "platform_no_live", False)
    batch_size = env_float("PYTEST_PLATFORM_BATCH_SIZE", DEFAULT_BATCH_SIZE, environ) or DEFAULT_BATCH_SIZE
    return {
        "stream": env_value("RESULTS_STREAM", environ) or DEFAULT_STREAM,
        "live": live,
        "stop_timeout": stop,
        "batch_size": int(batch_size),
        "batch_seconds": env_float("PYTEST_PLATFORM_BATCH_SECONDS", DEFAULT_BATCH_SECONDS, environ),
        "heartbeat_seconds": env_float("PYTEST_PLATFORM_HEARTBEAT_SECONDS", DEFAULT_HEARTBEAT_SECONDS, environ),
        "spool_dir": default_spool_dir(environ),
        "timing_file": env_value("PYTEST_PLATFORM_TIMING_FILE", environ),
        "public_url": env_value(VARIABLES["publicUrl"], environ),
        "quiet": env_bool(VARIABLES["quiet"], False, environ),
        "step_summary": step_summary_path(environ),
        "overrides": {
            "project": getattr(option, "platform_project", None),
            "branch": getattr(option, "platform_branch", None),
            "commit": getattr(option, "platform_commit", None),
            "worker_id": getattr(option, "platform_worker_id", None),
            "build_id": getattr(option, "platform_build_id", None),
        },
        "environ": environ,
    }


def quarantine_requested(option, environ=None) -> bool:
    """``--platform-quarantine``, or ``PYTEST_PLATFORM_QUARANTINE`` a true word."""
    return bool(getattr(option, "platform_quarantine", False)) or env_bool("PYTEST_PLATFORM_QUARANTINE", False, environ)


def shard_request(option, environ=None):
    """``((K, N) or None, by, warning or None)``: ``--platform-shard`` (already checked by its option type)
    over ``PYTEST_PLATFORM_SHARD``; ``--platform-shard-by`` over ``PYTEST_PLATFORM_SHARD_BY`` (default file).

    A bad variable is not worth a broken run: it is ignored, and the warning says so.
    """
    warnings = []
    shard = getattr(option, "platform_shard", None)
    if shard is None:
        text = env_value("PYTEST_PLATFORM_SHARD", environ)
        if text is not None:
            try:
                shard = parse_shard(text)
            except ValueError as exc:
                warnings.append("PYTEST_PLATFORM_SHARD ignored (%s): the whole suite runs" % exc)
    by = getattr(option, "platform_shard_by", None)
    if by is None:
        by = (env_value("PYTEST_PLATFORM_SHARD_BY", environ) or "file").lower()
        if by not in SHARD_BY:
            if shard is not None:
                warnings.append("PYTEST_PLATFORM_SHARD_BY=%s ignored (expected file or test): split by file" % by)
            by = "file"
    warning = "pytest-platform: " + "; ".join(warnings) if warnings else None
    return shard, by, warning
