"""How values are written on the stream: compact JSON and ISO 8601 UTC times."""

from __future__ import annotations

import json
import re
import time

# With ensure_ascii every non-ASCII character is escaped, pairs as two escapes: a lone half is an
# escape of a high surrogate not followed by a low one, or of a low one not preceded by a high one.
_LONE_SURROGATE = re.compile(
    r"\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f][0-9a-f]{2})|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}")


def _well_formed(obj):
    """``obj`` with every string's lone surrogates as U+FFFD (its length in UTF-16 units unchanged)."""
    if isinstance(obj, str):
        return obj.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if isinstance(obj, dict):
        return {_well_formed(k): _well_formed(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_well_formed(v) for v in obj]
    return obj


def dumps(obj) -> str:
    # ensure_ascii keeps the payload ASCII; a lone surrogate in test output (receivers refuse it,
    # UTF-8 cannot hold it) is written as U+FFFD. The regex only looks: text without one is as dumped.
    text = json.dumps(obj, separators=(",", ":"))
    if "\\ud" in text and _LONE_SURROGATE.search(text):
        text = json.dumps(_well_formed(obj), separators=(",", ":"))
    return text


def iso_time(t: float) -> str:
    g = time.gmtime(t)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
        g.tm_year, g.tm_mon, g.tm_mday, g.tm_hour, g.tm_min, g.tm_sec, int(t * 1000) % 1000)


def iso_now() -> str:
    return iso_time(time.time())
