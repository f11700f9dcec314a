"""The reporter: collects results on pytest's main thread, sends them from a daemon thread.

Hooks only record results in memory; the sender thread sends them (live: ``run.started``,
``run.tests`` batches, ``run.finished``; otherwise one ``run`` entry). ``pytest_unconfigure``
waits for it at most the stop timeout, spools the run if it was not sent, then prints the end
line and appends the step summary. Nothing here changes pytest's exit code or raises.
"""

from __future__ import annotations

import collections
import json
import os
import sys
import threading
import time
import uuid

import pytest

from .contract import (
    MAX_BATCH_BYTES,
    MAX_FILE,
    MAX_LONGREPR,
    MAX_MESSAGE,
    MAX_NODEID,
    MAX_TESTS_PER_BATCH,
    MAX_TESTS_PER_RUN,
)
from .identity import read_git, resolve_identity
from .output import append_step_summary, end_line, step_summary
from .redis_client import make_client, redact_url
from .reports import TAGS_ATTR, failure_message, longrepr_text, run_status, skip_reason, xfail_reason
from .spool import flush_spool, spool_files, write_spool
from .text import cap_name, truncate, truncate_unique
from .wire import dumps, iso_now, iso_time

_OUTCOME_KEY = {
    "passed": "passed",
    "failed": "failed",
    "skipped": "skipped",
    "error": "errors",
    "xfailed": "xfailed",
    "xpassed": "xpassed",
}


class _State:
    """What is known about a test while its phases arrive."""

    __slots__ = ("duration", "attempts", "outcome", "message", "longrepr", "location", "tags")

    def __init__(self):
        self.duration = 0.0
        self.attempts = 1
        self.outcome = None
        self.message = None
        self.longrepr = None
        self.location = None
        self.tags = None


class PlatformReporter:
    """Registered as a pytest plugin object in the controller process when active."""

    def __init__(self, config, url, options):
        self.config = config
        self.url = url
        self.stream = options["stream"]
        self.live = options["live"]
        self.stop_timeout = options["stop_timeout"]
        self.batch_size = max(1, min(int(options["batch_size"]), MAX_TESTS_PER_BATCH))
        self.batch_seconds = max(0.01, options["batch_seconds"])
        self.heartbeat_seconds = max(0.05, options["heartbeat_seconds"])
        self.spool_dir = options["spool_dir"]
        self.overrides = options["overrides"]
        self.timing_file = options.get("timing_file")
        self.public_url = options.get("public_url")
        self.quiet = options.get("quiet", False)
        self.step_summary_path = options.get("step_summary")
        self.environ = options.get("environ")
        self.rootdir = str(getattr(config, "rootpath", None) or getattr(config, "rootdir", "") or os.getcwd())
        self.identity = options.get("identity")  # resolved already when quarantine or sharding needed the project
        self.quarantined = options.get("quarantined") or {}  # --platform-quarantine: {nodeid: entry}

        self.run_id = str(uuid.uuid4())
        self.started_at = None
        self._t0 = None
        # main-thread state
        self._tests = []  # finalized test dicts, in completion order
        self._index = {}  # nodeid -> position in self._tests (a re-run nodeid replaces its entry)
        self._files = {}  # report.location path -> capped "file" value
        self._inprog = {}  # nodeid -> _State
        self._counts = dict.fromkeys(_OUTCOME_KEY, 0)
        self._flaky = 0
        self._enqueue_ns = None
        self._exit_wait_ns = None
        self._sender_cpu_ns = None
        # shared with the sender
        self._pending = collections.deque()  # finalized tests not yet sent live
        self._since_wake = 0
        self._wake = threading.Event()
        self._final = None
        self._closing = False
        self._thread = None
        self._header = None
        self._header_lock = threading.Lock()
        self._spool_lock = threading.Lock()
        self._delivered = False  # the whole run reached Redis (or the spool)
        self._handover = None  # "sent", "spooled" or "lost" once the run left this process
        self._spooled_path = None
        self._down = None  # str: why Redis could not be used
        self._warning = None
        self._spool_reason = None

    # -- pytest hooks (main thread) -----------------------------------------------------------
    def pytest_sessionstart(self, session):
        self.started_at = iso_now()
        self._t0 = time.monotonic()
        self._thread = threading.Thread(target=self._sender, name="pytest-platform-sender", daemon=True)
        self._thread.start()

    def pytest_runtest_logreport(self, report):
        # Called three times per test on the main thread: keep the common (passing) path short.
        nodeid = report.nodeid
        st = self._inprog.get(nodeid)
        if st is None:
            st = self._inprog[nodeid] = _State()
            st.location = report.location
            st.tags = report.__dict__.get(TAGS_ATTR)
        st.duration += report.duration or 0.0
        outcome = report.outcome
        when = report.when
        if outcome == "passed":
            if when == "call":
                if st.outcome is None:
                    if "wasxfail" in report.__dict__:
                        st.outcome = "xpassed"
                        st.message = xfail_reason(report)
                    else:
                        st.outcome = "passed"
                return
        elif outcome == "rerun":  # pytest-rerunfailures: this attempt is discarded
            st.attempts += 1
            st.outcome = st.message = st.longrepr = None
            return
        elif outcome == "skipped":
            if st.outcome is None:
                if "wasxfail" in report.__dict__:
                    st.outcome = "xfailed"
                    st.message = xfail_reason(report)
                else:
                    st.outcome = "skipped"
                    st.message = skip_reason(report)
        else:  # failed
            cur = st.outcome
            if cur is None or (cur not in ("failed", "error") and when == "teardown"):
                text = longrepr_text(report)
                st.outcome = "failed" if when == "call" else "error"
                st.message = failure_message(report, text)
                st.longrepr = text
        if when == "teardown":
            del self._inprog[nodeid]
            self._finalize(nodeid, st)

    def pytest_collectreport(self, report):
        if report.passed:
            return
        nodeid = report.nodeid or "<collection>"
        st = _State()
        st.location = (nodeid.split("::", 1)[0], None, "")
        if report.failed:
            text = longrepr_text(report)
            st.outcome = "error"
            st.message = failure_message(report, text)
            st.longrepr = text
        else:  # a module skipped at collection time (pytest.skip(allow_module_level=True))
            st.outcome = "skipped"
            st.message = skip_reason(report)
        self._finalize(nodeid, st)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session, exitstatus):
        t0 = time.perf_counter_ns()
        try:
            if self._inprog:  # interrupted mid-test: keep what has an outcome
                for nodeid, st in list(self._inprog.items()):
                    if st.outcome is not None:
                        self._finalize(nodeid, st)
                self._inprog.clear()
            if getattr(self.config.option, "collectonly", False):
                self._final = "skip"  # a collect-only session is not a test run
            else:
                tests = self._tests  # handed over as is: nothing appends after this hook
                if len(tests) > MAX_TESTS_PER_RUN:
                    tests = tests[:MAX_TESTS_PER_RUN]
                c = self._counts
                summary = {
                    "total": len(tests),
                    "passed": c["passed"],
                    "failed": c["failed"],
                    "skipped": c["skipped"],
                    "errors": c["error"],
                    "xfailed": c["xfailed"],
                    "xpassed": c["xpassed"],
                    "flaky": self._flaky,
                }
                now = time.monotonic()
                self._final = {
                    # epoch seconds here; the sender formats it (formatting costs more than the rest)
                    "finished_at": time.time(),
                    "duration": now - (self._t0 or now),
                    "status": run_status(exitstatus),
                    "summary": summary,
                    "tests": tests,
                }
            # No wake-up here: waking the sender makes the OS switch threads inside this hook.
            # pytest_unconfigure (which waits for the sender anyway) wakes it.
        except Exception as exc:  # never disturb pytest
            self._warning = "pytest-platform: could not build the run result: %r" % (exc,)
        self._enqueue_ns = time.perf_counter_ns() - t0

    def pytest_unconfigure(self, config):
        try:
            self._shutdown()
        except BaseException as exc:  # pragma: no cover - belt and braces
            try:
                sys.stderr.write("pytest-platform: %r\n" % (exc,))
            except Exception:
                pass

    # -- main-thread helpers --------------------------------------------------------------------
    def _finalize(self, nodeid, st):
        outcome = st.outcome or "passed"
        loc = st.location
        file = line = None
        if loc:
            f = loc[0]
            if f:
                file = self._files.get(f)
                if file is None:
                    file = self._files[f] = truncate(str(f), MAX_FILE)
            if loc[1] is not None:
                line = int(loc[1]) + 1
        message = st.message
        longrepr = st.longrepr
        test = {
            "nodeid": nodeid if len(nodeid) <= MAX_NODEID // 2 else truncate_unique(nodeid, MAX_NODEID),
            "outcome": outcome,
            "duration": st.duration if st.duration > 0 else 0.0,
            "message": message if message is None else truncate(message, MAX_MESSAGE),
            "longrepr": longrepr if longrepr is None else truncate(longrepr, MAX_LONGREPR),
            "attempts": st.attempts if st.attempts <= 1000 else 1000,
            "file": file,
            "line": line,
        }
        if st.tags:
            test["tags"] = st.tags
        if self.quarantined and outcome in ("failed", "error") and nodeid in self.quarantined:
            test["quarantined"] = True  # its failure did not fail the session
        pos = self._index.get(nodeid)
        if pos is None:
            self._index[nodeid] = len(self._tests)
            self._tests.append(test)
        else:
            old = self._tests[pos]
            self._counts[old["outcome"]] -= 1
            if old["outcome"] == "passed" and old["attempts"] > 1:
                self._flaky -= 1
            self._tests[pos] = test
        self._counts[outcome] += 1
        if outcome == "passed" and test["attempts"] > 1:
            self._flaky += 1
        if self.live and self._final is None:
            self._pending.append(test)
            self._since_wake += 1
            if self._since_wake >= self.batch_size:
                self._since_wake = 0
                self._wake.set()

    def _shutdown(self):
        thread = self._thread
        if thread is None:
            return
        self._closing = True
        if self._final is None:
            self._final = "skip"  # the session never finished: nothing complete to send
        t0 = time.perf_counter_ns()
        self._wake.set()
        thread.join(self.stop_timeout)
        self._exit_wait_ns = time.perf_counter_ns() - t0
        if self.timing_file and self._enqueue_ns is not None:
            self._write_timing()
        if thread.is_alive() and isinstance(self._final, dict):
            # The sender is stuck (e.g. a Redis that accepts but never answers): spool from here.
            reason = "no answer within the %gs stop timeout" % self.stop_timeout
            self._spool(reason, use_git=False)
        lines = [self._warning] if self._warning else []
        if self._handover in ("sent", "spooled"):
            lines += self._report_handover()
        if lines:
            sys.stderr.write("".join(line.replace("\n", " ") + "\n" for line in lines))
            sys.stderr.flush()

    def _report_handover(self):
        """Append the step summary and make the end line; return the lines to print."""
        lines = []
        run = dict(self.header(use_git=False))
        run.update(summary=self._final["summary"], tests=self._final["tests"])
        if self.step_summary_path:
            warning = append_step_summary(self.step_summary_path, step_summary(run, self.public_url))
            if warning:
                lines.append(warning)
        if self._handover == "spooled":
            # Said even when quiet: the run is safe but not yet where anyone can see it.
            lines.append(end_line(run, self.public_url, self.spool_dir, self._spool_reason))
        elif not self.quiet:
            lines.append(end_line(run, self.public_url))
        return lines

    def _write_timing(self):
        rec = {
            "enqueue_ns": self._enqueue_ns,
            "tests": len(self._tests),
            "exit_wait_ns": self._exit_wait_ns,
            "sender_cpu_ns": self._sender_cpu_ns,
            "logreport_ns": getattr(self, "_logreport_ns", None),
            "logreport_calls": getattr(self, "_logreport_calls", None),
        }
        try:
            with open(self.timing_file, "a") as fh:
                fh.write(json.dumps(rec) + "\n")
        except OSError:
            pass

    # -- sender (daemon thread) -----------------------------------------------------------------
    def header(self, use_git=True):
        if self._header is not None:
            return self._header
        got = self._header_lock.acquire(blocking=use_git)
        try:
            if self._header is not None:
                return self._header
            ident = self.identity or resolve_identity(self.rootdir, self.overrides, self.environ,
                                                      git=read_git if use_git else None)
            hdr = {
                "run_id": self.run_id,
                "project": ident["project"],
                "branch": ident["branch"],
                "commit": ident["commit"],
                "worker_id": ident["worker_id"],
                "build_id": ident["build_id"],
                "shard": ident["shard"],
                "framework": "pytest",
                "framework_version": cap_name(getattr(pytest, "__version__", None)),
                "started_at": self.started_at or iso_now(),
                "environment": ident["environment"],
            }
            if got:
                self._header = hdr
            return hdr
        finally:
            if got:
                self._header_lock.release()

    def _xadd(self, client, typ, data_json):
        if self._down is not None:
            return False
        try:
            client.xadd(self.stream, {"type": typ, "data": data_json})
            return True
        except Exception as exc:
            self._down = "%s: %s" % (type(exc).__name__, exc)
            return False

    def _send_batch(self, client, seq, final=False):
        """Send pending tests as run.tests entries (<= batch_size tests, ~1 MiB). Returns next seq."""
        pending = self._pending
        while pending:
            n = min(len(pending), self.batch_size)
            batch = [pending.popleft() for _ in range(n)]
            hdr = dict(self.header())
            head = dumps(hdr)[:-1] + ',"seq":'
            tests = dumps(batch)
            while len(tests) > MAX_BATCH_BYTES and len(batch) > 1:  # rare: huge tracebacks
                keep = max(1, len(batch) // 2)
                for t in reversed(batch[keep:]):
                    pending.appendleft(t)
                batch = batch[:keep]
                tests = dumps(batch)
            if not self._xadd(client, "run.tests", head + str(seq) + ',"tests":' + tests + "}"):
                return seq
            seq += 1
            if not final and len(pending) < self.batch_size:
                break
        return seq

    def _sender(self):
        try:
            self.header()
            client = make_client(self.url, self.environ)
            seq = 0
            last_sent = time.monotonic()
            if self.live:
                self._xadd(client, "run.started", dumps(self.header()))
                last_sent = time.monotonic()
            if self._down is None and spool_files(self.spool_dir):
                try:
                    flush_spool(client, self.stream, self.spool_dir)
                except Exception as exc:
                    self._down = "%s: %s" % (type(exc).__name__, exc)
            last_batch = time.monotonic()
            while self._final is None:
                if self.live and self._down is None:
                    now = time.monotonic()
                    timeout = min(self.batch_seconds - (now - last_batch),
                                  self.heartbeat_seconds - (now - last_sent))
                    self._wake.wait(max(timeout, 0.0))
                else:
                    self._wake.wait(1.0)
                self._wake.clear()
                if self._final is not None or not self.live or self._down is not None:
                    continue
                now = time.monotonic()
                if self._pending and (len(self._pending) >= self.batch_size
                                      or now - last_batch >= self.batch_seconds):
                    seq = self._send_batch(client, seq)
                    last_batch = last_sent = time.monotonic()
                elif not self._pending and now - last_batch >= self.batch_seconds:
                    last_batch = now
                if now - last_sent >= self.heartbeat_seconds:
                    self._xadd(client, "run.started", dumps(self.header()))
                    last_sent = time.monotonic()
            if not isinstance(self._final, dict):
                return
            final = self._final_fields()
            if self.live:
                seq = self._send_batch(client, seq, final=True)
                finished = dict(self.header())
                for k in ("finished_at", "duration", "status", "summary"):
                    finished[k] = final[k]
                ok = self._xadd(client, "run.finished", dumps(finished))
            else:
                ok = self._xadd(client, "run", self._run_json())
            if ok:
                with self._spool_lock:
                    if not self._delivered:
                        self._delivered = True
                        self._handover = "sent"
            else:
                self._spool(self._down)
        except BaseException as exc:
            if isinstance(self._final, dict) and not self._delivered:
                self._spool("%s: %s" % (type(exc).__name__, exc))
        finally:
            try:
                self._sender_cpu_ns = time.thread_time_ns()
            except Exception:
                pass

    def _final_fields(self):
        final = dict(self._final)
        final["finished_at"] = iso_time(final["finished_at"])
        if self.started_at and final["finished_at"] < self.started_at:  # the clock was set back during the session
            final["finished_at"] = self.started_at
        final["duration"] = round(max(final["duration"], 0.0), 6)
        return final

    def _run_json(self, use_git=True):
        run = dict(self.header(use_git))
        run.update(self._final_fields())
        return dumps(run)

    def _spool(self, reason, use_git=True):
        with self._spool_lock:
            if self._delivered:
                return
            self._delivered = True
            where = redact_url(self.url)
            try:
                self._spooled_path = write_spool(self.spool_dir, self.run_id, self._run_json(use_git))
                self._handover = "spooled"
                self._spool_reason = "Redis at %s: %s" % (where, reason)
            except Exception as exc:
                self._handover = "lost"
                self._warning = (
                    "pytest-platform: could not send results to Redis at %s (%s) "
                    "nor write them to %s (%s): results of this run are lost"
                    % (where, reason, self.spool_dir, exc)
                )


class TimedReporter(PlatformReporter):
    """Used only when PYTEST_PLATFORM_TIMING_FILE is set (benchmarks): times the per-test hook."""

    _logreport_ns = 0
    _logreport_calls = 0

    def pytest_runtest_logreport(self, report):
        t0 = time.perf_counter_ns()
        PlatformReporter.pytest_runtest_logreport(self, report)
        self._logreport_ns += time.perf_counter_ns() - t0
        self._logreport_calls += 1

