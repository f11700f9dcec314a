"""``--platform-quarantine``: a quarantined test's failure is reported, and does not fail the session.

Like a non-strict xfail, but the test stays ``failed`` in the terminal and in the run (with
``quarantined: true``): only pytest's count of failures, which decides the exit status and
``--maxfail``, leaves it out. Registered in the process that owns the session's outcome (the xdist
controller, which sees every report), never in xdist workers.
"""

from __future__ import annotations

import pytest


class QuarantineGuard:
    def __init__(self, config, quarantined):
        self.config = config
        self.quarantined = quarantined  # {nodeid: entry}
        self.ignored = []  # node ids whose failures were ignored, in order, once each
        self.session = None

    def pytest_sessionstart(self, session):
        self.session = session

    def is_ignored(self, report):
        return report.failed and report.nodeid in self.quarantined and not hasattr(report, "wasxfail")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_logreport(self, report):
        if self.session is None or not self.is_ignored(report):
            yield
            return
        # pytest's Session counts the failure (and stops at --maxfail) in its own implementation of
        # this hook: hide the limit from it for this report, then take the failure back out.
        option = self.config.option
        maxfail = getattr(option, "maxfail", 0)
        option.maxfail = 0
        try:
            yield
        finally:
            option.maxfail = maxfail
        if self.session.testsfailed > 0:
            self.session.testsfailed -= 1
        if report.nodeid not in self.ignored:
            self.ignored.append(report.nodeid)

    def pytest_terminal_summary(self, terminalreporter):
        if not self.ignored:
            return
        n = len(self.ignored)
        terminalreporter.write_sep(
            "=", "pytest-platform: %d quarantined failure%s ignored" % (n, "" if n == 1 else "s"), yellow=True)
        for nodeid in self.ignored:
            reason = (self.quarantined.get(nodeid) or {}).get("reason")
            terminalreporter.write_line("QUARANTINED %s%s" % (nodeid, " - " + " ".join(reason.split()) if reason else ""))
