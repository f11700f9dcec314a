"""How values are written on the stream: compact JSON and ISO 8601 UTC times."""

from __future__ import annotations

import json
import time


def dumps(obj) -> str:
    # ensure_ascii keeps the payload valid UTF-8 even with lone surrogates in test output
    return json.dumps(obj, separators=(",", ":"))


def iso_time(t: float) -> str:
    g = time.gmtime(t)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
        g.tm_year, g.tm_mon, g.tm_mday, g.tm_hour, g.tm_min, g.tm_sec, int(t * 1000) % 1000)


def iso_now() -> str:
    return iso_time(time.time())
