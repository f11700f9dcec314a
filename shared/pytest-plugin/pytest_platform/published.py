"""What the platform publishes for the reporters: the quarantine list and the recorded durations.

Both are JSON text under the keys of ``contract.json`` ``redisKeys``, read with a plain GET once per
session, within READ_TIMEOUT (connecting included). Unreachable, too slow or unreadable means no
test is quarantined and shards are split by count, said in one warning line; a missing quarantine
key is simply an empty list and says nothing. The Node CLI reads them the same way
(shared/reporter/src/published-lists.ts); shared/schema/fixtures/published-lists.json holds the
cases both must read alike.

Durations for a build: with a build id, the first shard of the build to read copies what it read
to the build's snapshot key (SET NX, kept SNAPSHOT_SECONDS) and every shard of the build splits by
that copy, so the N shards agree even when ingest updates the durations between their starts.
"""

from __future__ import annotations

import calendar
import json
import re
import threading
import time

from .contract import CONTRACT
from .redis_client import MiniRedis, RedisReplyError, make_client, redact_url
from .sharding import recorded_seconds

READ_TIMEOUT = 1.0
SNAPSHOT_SECONDS = 86400
REDIS_KEYS = CONTRACT["redisKeys"]

_PLACEHOLDER = re.compile(r"\{(stream|project|build)\}")
_TIME = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$")


class InvalidDocument(ValueError):
    """A published value that is not the JSON the contract describes."""


def key_for(kind, stream, project, build_id=None):
    """The Redis key of ``kind`` (``quarantine``, ``durations``, ``durationsSnapshot``)."""
    values = {"stream": stream, "project": project, "build": build_id or ""}
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], REDIS_KEYS[kind])  # one pass, as the Node code


def parse_time_ms(text):
    """An ISO 8601 date-time with a zone (``2026-12-01T10:00:00.000Z``) as Unix milliseconds, else None.

    Only what a calendar holds: a month of 1-12, its days, hours 0-23, no leap second; fractions
    below a millisecond are dropped.
    """
    m = _TIME.match(text) if isinstance(text, str) else None
    if m is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    if not (year >= 1 and 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]
            and hour <= 23 and minute <= 59 and second <= 59):
        return None
    zone = m.group(8)
    offset = 0
    if zone != "Z":
        oh, om = int(zone[1:3]), int(zone[4:6])
        if oh > 23 or om > 59:
            return None
        offset = (oh * 60 + om) * (1 if zone[0] == "+" else -1)
    millis = int(((m.group(7) or "") + "000")[:3])
    return (calendar.timegm((year, month, day, hour, minute, second)) - offset * 60) * 1000 + millis


def _reject_constant(name):
    raise InvalidDocument("%s is not JSON" % name)  # NaN and Infinity: JavaScript's JSON.parse refuses them


def _load(text):
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except InvalidDocument:
        raise
    except ValueError as exc:
        raise InvalidDocument("not JSON: %s" % exc) from None


def parse_quarantine(text, now_ms):
    """The quarantined tests of a published list: ``{nodeid: entry}``, without expired entries.

    None (a missing key) is an empty list. An entry without a non-empty ``nodeid``, or whose
    ``expires_at`` is not null and not a date-time, is left out; one whose ``expires_at`` is not
    after ``now_ms`` has expired. Raises InvalidDocument when the value is not such a list.
    """
    if text is None:
        return {}
    doc = _load(text)
    if not isinstance(doc, dict) or not isinstance(doc.get("tests"), list):
        raise InvalidDocument('expected {"tests": [...]}')
    out = {}
    for entry in doc["tests"]:
        if not isinstance(entry, dict):
            continue
        nodeid = entry.get("nodeid")
        if not isinstance(nodeid, str) or not nodeid or nodeid in out:
            continue
        expires = entry.get("expires_at")
        if expires is not None:
            expires_ms = parse_time_ms(expires)
            if expires_ms is None or expires_ms <= now_ms:
                continue
        out[nodeid] = {k: entry.get(k) if isinstance(entry.get(k), str) else None
                       for k in ("reason", "since", "expires_at", "by")}
    return out


def parse_durations(text):
    """``{"tests": {nodeid: seconds}, "files": {file: seconds}}`` of a published record.

    None (a missing key, or a build snapshot of a missing key: ``null``) is no record at all.
    A missing map is empty; values that are not a finite number >= 0 are left out. Raises
    InvalidDocument when the value is not such a record.
    """
    doc = None if text is None else _load(text)
    if doc is None:
        return None
    if not isinstance(doc, dict):
        raise InvalidDocument('expected {"tests": {...}, "files": {...}}')
    out = {}
    for name in ("tests", "files"):
        seconds = doc.get(name, {})
        if not isinstance(seconds, dict):
            raise InvalidDocument('"%s" is not an object' % name)
        out[name] = {k: recorded_seconds(v) for k, v in seconds.items() if recorded_seconds(v) is not None}
    return out


class Published:
    """What one session read: quarantined tests (``{nodeid: entry}``), durations (None: no record), and the warning line."""

    __slots__ = ("quarantine", "durations", "warning")

    def __init__(self, quarantine=None, durations=None, warning=None):
        self.quarantine = quarantine or {}
        self.durations = durations
        self.warning = warning


def _command(client, *args):
    """One command on MiniRedis or redis-py; an error reply raises RedisReplyError either way."""
    if isinstance(client, MiniRedis):
        return client.execute(*args)
    try:
        reply = client.execute_command(*args)
    except Exception as exc:
        if any(cls.__name__ == "ResponseError" for cls in type(exc).__mro__):  # redis-py's error reply
            raise RedisReplyError(str(exc)) from None
        raise
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


def _durations_text(client, live_key, snapshot_key):
    """The live record, or with a build the build's snapshot (made from the live record by the first to ask)."""
    if snapshot_key is None:
        return _command(client, "GET", live_key)
    snapshot = _command(client, "GET", snapshot_key)
    if snapshot is not None:
        return snapshot
    live = _command(client, "GET", live_key)
    text = "null" if live is None else live
    try:
        if _command(client, "SET", snapshot_key, text, "NX", "EX", str(SNAPSHOT_SECONDS)):
            return text
        snapshot = _command(client, "GET", snapshot_key)  # another shard of the build was first
        return text if snapshot is None else snapshot
    except RedisReplyError:  # e.g. an ACL user that may not SET: the live record, not shared
        return text


def _fetch(url, environ, keys, timeout):
    client = make_client(url, environ, connect_timeout=timeout, socket_timeout=timeout)
    try:
        texts = {}
        if "quarantine" in keys:
            texts["quarantine"] = _command(client, "GET", keys["quarantine"])
        if "durations" in keys:
            texts["durations"] = _durations_text(client, keys["durations"], keys.get("durationsSnapshot"))
        return texts
    finally:
        close = getattr(client, "close", None)
        if close is not None:
            try:
                close()
            except Exception:
                pass


def _read_texts(url, environ, keys, timeout):
    """The values of ``keys`` read in a thread waited for at most ``timeout``; (texts, None) or (None, why)."""
    result = {}

    def work():
        try:
            result["texts"] = _fetch(url, environ, keys, timeout)
        except BaseException as exc:
            result["error"] = "%s: %s" % (type(exc).__name__, exc)

    thread = threading.Thread(target=work, name="pytest-platform-read", daemon=True)
    thread.start()
    thread.join(timeout)
    if "texts" in result:
        return result["texts"], None
    return None, result.get("error") or "no answer within %g s" % timeout


def _what(quarantine, durations):
    return " and ".join(w for w, on in (("the quarantine list", quarantine), ("the recorded durations", durations)) if on)


def consequence(quarantine, durations):
    """What a session does without the values: the end of every warning line."""
    return ", ".join(c for c, on in (("no test is quarantined", quarantine), ("shards are split by count", durations)) if on)


def unread_warning(why, quarantine, durations):
    """The one line for values not read at all (no Redis URL, the plugin off)."""
    return "pytest-platform: %s, so %s %s not read: %s" % (
        why, _what(quarantine, durations), "are" if durations else "is",
        consequence(quarantine, durations))


def read_published(url, stream, project, build_id=None, quarantine=False, durations=False,
                   environ=None, timeout=READ_TIMEOUT, now_ms=None):
    """Reads what was asked for; never raises. Published.warning is the one line to print, or None."""
    keys = {}
    if quarantine:
        keys["quarantine"] = key_for("quarantine", stream, project)
    if durations:
        keys["durations"] = key_for("durations", stream, project)
        if build_id:
            keys["durationsSnapshot"] = key_for("durationsSnapshot", stream, project, build_id)
    if not keys:
        return Published()
    texts, error = _read_texts(url, environ, keys, timeout)
    if texts is None:
        return Published(warning="pytest-platform: could not read %s from Redis at %s (%s): %s" % (
            _what(quarantine, durations), redact_url(url), error, consequence(quarantine, durations)))
    published = Published()
    problems = []
    if quarantine:
        try:
            published.quarantine = parse_quarantine(texts["quarantine"], time.time() * 1000 if now_ms is None else now_ms)
        except InvalidDocument as exc:
            problems.append("the quarantine list at %s is not valid (%s): no test is quarantined" % (keys["quarantine"], exc))
    if durations:
        try:
            published.durations = parse_durations(texts["durations"])
            if published.durations is None:
                problems.append("no recorded durations for project %s yet: shards are split by count" % project)
        except InvalidDocument as exc:
            problems.append("the recorded durations at %s are not valid (%s): shards are split by count" % (keys["durations"], exc))
    if problems:
        published.warning = "pytest-platform: " + "; ".join(problems)
    return published
