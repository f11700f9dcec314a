"""Cutting text to the contract's lengths, counted as JavaScript does (UTF-16 code units)."""

from __future__ import annotations

import hashlib

from .contract import MAX_NAME

TRUNCATED_SUFFIX = "\n\u2026 [truncated]"
_SUFFIX_UNITS = len(TRUNCATED_SUFFIX.encode("utf-16-le")) // 2


def utf16_len(s: str) -> int:
    """Length of ``s`` as JavaScript counts it (UTF-16 code units)."""
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


def _head(s: str, units: int) -> str:
    """The first ``units`` UTF-16 code units of ``s``, never half a surrogate pair."""
    head = s.encode("utf-16-le", "surrogatepass")[: max(units, 0) * 2]
    return head.decode("utf-16-le", "ignore")


def _fits(s: str, limit: int) -> bool:
    n = len(s)
    return n * 2 <= limit or (n <= limit and utf16_len(s) <= limit)  # a code point is <= 2 units


def truncate(s, limit: int):
    """Cap ``s`` at ``limit`` UTF-16 code units, ending with the truncation marker when cut."""
    if s is None or _fits(s, limit):
        return s
    return _head(s, limit - _SUFFIX_UNITS) + TRUNCATED_SUFFIX


def truncate_unique(s: str, limit: int) -> str:
    """Like truncate(), but keeps distinct long strings distinct (used for nodeids)."""
    if _fits(s, limit):
        return s
    digest = hashlib.sha1(s.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    tag = " #" + digest
    return _head(s, limit - _SUFFIX_UNITS - len(tag)) + tag + TRUNCATED_SUFFIX


def cut(s: str, limit: int, end: str = "") -> str:
    """Cap ``s`` at ``limit`` UTF-16 code units, ``end`` included when it is cut."""
    if _fits(s, limit):
        return s
    return _head(s, limit - utf16_len(end)) + end


def cap_name(value, default=None):
    """An identity value (project, branch, ...): stripped, blank as ``default``, capped."""
    if value is None:
        return default
    value = str(value).strip()
    if not value:
        return default
    return truncate(value, MAX_NAME)


def first_line(text):
    """The first non-blank line of ``text`` without its trailing blanks, or None."""
    if not text:
        return None
    for line in str(text).splitlines():
        if line.strip():
            return line.rstrip()
    return None
