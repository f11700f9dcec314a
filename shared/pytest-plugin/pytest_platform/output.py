"""What a reporter tells a person when a run is done: the end line and the step summary.

Both follow shared/schema/fixtures/reporter-output.json byte for byte, as the Node reporters do.
"""

from __future__ import annotations

import re

from .text import cut

MAX_LISTED_FAILURES = 20
MAX_SUMMARY_NODEID = 300
MAX_SUMMARY_MESSAGE = 200
ELLIPSIS = "\u2026"

_LINE_BREAK = re.compile(r"\r\n|[\r\n]")
_MARKDOWN_SPECIAL = re.compile(r"[\r\n\t&<>\\`*_\[\]|~]")
_MARKDOWN_REPLACEMENT = {"\r": " ", "\n": " ", "\t": " ", "&": "&amp;", "<": "&lt;", ">": "&gt;"}


def _counts(summary):
    return (summary.get("failed", 0) + summary.get("errors", 0), summary.get("passed", 0),
            summary.get("skipped", 0))


def run_url(public_url, run_id):
    """``<public_url>/runs/<run_id>``, or None without a public url."""
    if not public_url or not public_url.strip():
        return None
    return public_url.strip().rstrip("/") + "/runs/" + run_id


def end_line(run, public_url=None, spool_dir=None, reason=None) -> str:
    """The one line printed on stderr once the run was sent (or spooled to ``spool_dir``, because of ``reason``)."""
    failed, passed, skipped = _counts(run["summary"])
    line = "pytest-platform: run %s \u00b7 %d failed, %d passed, %d skipped" % (
        run["run_id"], failed, passed, skipped)
    if spool_dir:
        return line + " \u00b7 not sent (%s): spooled to %s, sent by the next run" % (
            reason or "Redis unavailable", spool_dir)
    url = run_url(public_url, run["run_id"])
    return line + " \u2192 " + url if url else line


def markdown_text(text) -> str:
    """Text made safe for one Markdown table cell or line."""
    return _MARKDOWN_SPECIAL.sub(
        lambda m: _MARKDOWN_REPLACEMENT.get(m.group(0)) or "\\" + m.group(0), text)


def _message_line(message):
    for line in _LINE_BREAK.split(message or ""):
        if line.strip():
            return line.strip()
    return ""


def step_summary(run, public_url=None) -> str:
    """The Markdown appended to ``GITHUB_STEP_SUMMARY``: counts, the run, up to 20 failed tests."""
    failed, passed, skipped = _counts(run["summary"])
    icon = "\u274c" if failed else "\u2705"
    out = ["### %s %s: %d failed, %d passed, %d skipped\n\n" % (
        icon, markdown_text(run.get("project") or ""), failed, passed, skipped)]
    run_id = markdown_text(run["run_id"])
    url = run_url(public_url, run["run_id"])
    facts = ["Run [%s](%s)" % (run_id, url) if url else "Run " + run_id]
    if run.get("branch"):
        facts.append("branch " + markdown_text(run["branch"]))
    if run.get("commit"):
        facts.append("commit " + markdown_text(run["commit"][:12]))
    if run.get("framework"):
        facts.append(markdown_text(run["framework"]))
    out.append(" \u00b7 ".join(facts) + "\n")

    failures = [t for t in run.get("tests") or () if t.get("outcome") in ("failed", "error")]
    if failures:
        out.append("\n| Failed test | Message |\n| --- | --- |\n")
        for test in failures[:MAX_LISTED_FAILURES]:
            nodeid = cut(test["nodeid"], MAX_SUMMARY_NODEID, ELLIPSIS)
            message = cut(_message_line(test.get("message")), MAX_SUMMARY_MESSAGE, ELLIPSIS)
            out.append("| %s | %s |\n" % (markdown_text(nodeid), markdown_text(message)))
        more = len(failures) - MAX_LISTED_FAILURES
        if more > 0:
            out.append("\n%sand %d more failed tests.\n" % (ELLIPSIS, more))
    return "".join(out)


def append_step_summary(path, markdown):
    """Append ``markdown`` to the file at ``path`` (after a blank line when the file has content, so
    several reporters of one job write separate blocks); return None, or a warning line on failure."""
    try:
        with open(path, "a", encoding="utf-8", errors="replace") as fh:
            fh.write(("\n" if fh.tell() > 0 else "") + markdown)
    except Exception as exc:
        return "pytest-platform: could not write the step summary to %s (%s: %s)" % (
            path, type(exc).__name__, exc)
    return None
