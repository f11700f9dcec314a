"""The spool: runs that could not be sent, one file each, sent by a later session or ``flush``.

A file is ``<unix_ms>-<run_id>.json`` holding ``{"type":"run","data":<RunResult>}``, written to a
temporary name and renamed; the Node CLI reads and writes the same directory and format.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time

from .variables import env_value
from .wire import dumps

_SPOOL_NAME = re.compile(r"^\d+-[A-Za-z0-9][A-Za-z0-9._:-]*\.json$")


def default_spool_dir(environ=None) -> str:
    environ = environ if environ is not None else os.environ
    d = env_value("PYTEST_PLATFORM_SPOOL_DIR", environ)
    if d:
        return os.path.expanduser(d)
    base = env_value("XDG_CACHE_HOME", environ) or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "pytest-platform", "spool")


def write_spool(spool_dir, run_id, data_json):
    """Atomically write ``{"type":"run","data":<RunResult>}``; return the final path."""
    os.makedirs(spool_dir, exist_ok=True)
    name = "%d-%s.json" % (int(time.time() * 1000), run_id)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".partial", dir=spool_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write('{"type":"run","data":')
            fh.write(data_json)
            fh.write("}")
            fh.flush()
            try:
                os.fsync(fh.fileno())
            except OSError:
                pass
        final = os.path.join(spool_dir, name)
        os.replace(tmp, final)
        return final
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def spool_files(spool_dir):
    try:
        names = [n for n in os.listdir(spool_dir) if _SPOOL_NAME.match(n)]
    except OSError:
        return []
    names.sort(key=lambda n: (int(n.split("-", 1)[0]), n))
    return [os.path.join(spool_dir, n) for n in names]


def flush_spool(client, stream, spool_dir):
    """Send every spooled run (XADD, then delete the file). Returns (sent, failed).

    Connection errors propagate (the caller decides what to tell); a file that is not a valid
    spool entry is renamed to ``*.bad`` so it never blocks the queue.
    """
    sent = failed = 0
    for path in spool_files(spool_dir):
        try:
            with open(path, "r", encoding="utf-8") as fh:
                entry = json.load(fh)
            typ = entry["type"]
            data = entry["data"]
            if not isinstance(typ, str) or not isinstance(data, dict):
                raise ValueError("not a spool entry")
        except FileNotFoundError:  # another process sent it meanwhile
            continue
        except (OSError, ValueError, KeyError, TypeError):
            failed += 1
            try:
                os.replace(path, path + ".bad")
            except OSError:
                pass
            continue
        client.xadd(stream, {"type": typ, "data": dumps(data)})
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        sent += 1
    return sent, failed
