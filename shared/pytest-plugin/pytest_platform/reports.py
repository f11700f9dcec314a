"""What a pytest report or item says about a test: status, message, skip reason, tags."""

from __future__ import annotations

from .contract import MAX_TAG, MAX_TAGS
from .text import cut, first_line

# The attribute of a setup report that carries the test's tags from the process that ran it
# (an xdist worker serialises every attribute of a report to the controller).
TAGS_ATTR = "pytest_platform_tags"

# pytest's own markers say how a test runs, not what it is about: they are not tags.
PYTEST_MARKERS = frozenset(
    ("parametrize", "usefixtures", "filterwarnings", "skip", "skipif", "xfail", "tryfirst", "trylast"))


def run_status(exitstatus) -> str:
    try:
        code = int(exitstatus)
    except Exception:
        return "error"
    if code in (0, 5):
        return "passed"
    if code == 1:
        return "failed"
    if code == 2:
        return "interrupted"
    return "error"


def longrepr_text(report):
    try:
        text = report.longreprtext
    except Exception:
        try:
            text = str(report.longrepr)
        except Exception:
            text = None
    return text or None


def failure_message(report, text):
    crash = getattr(report.longrepr, "reprcrash", None)
    msg = getattr(crash, "message", None) if crash is not None else None
    if msg:
        line = first_line(msg)
        # pytest drops "AssertionError: " from rewritten asserts without a message; put it back
        if line and line.startswith("assert ") and getattr(crash, "path", None) is not None:
            line = "AssertionError: " + line
        return line
    if text:
        for line in text.splitlines():  # pytest marks the exception line with "E   "
            if line.startswith("E "):
                return line[1:].strip() or None
    return first_line(text)


def skip_reason(report):
    lr = report.longrepr
    reason = None
    if isinstance(lr, tuple) and len(lr) == 3:
        reason = str(lr[2])
    elif lr is not None:
        reason = first_line(str(lr))
    if reason and reason.startswith("Skipped: "):
        reason = reason[len("Skipped: "):]
    return reason or None


def xfail_reason(report):
    reason = getattr(report, "wasxfail", None) or None
    if reason and reason.startswith("reason: "):
        reason = reason[len("reason: "):]
    return reason or None


def marker_tags(item):
    """The names of the item's markers, closest first, without pytest's own; None when none."""
    tags = []
    for mark in item.iter_markers():
        name = mark.name
        if name in PYTEST_MARKERS or not name:
            continue
        tag = cut(name, MAX_TAG)
        if tag not in tags:
            tags.append(tag)
            if len(tags) >= MAX_TAGS:
                break
    return tags or None
