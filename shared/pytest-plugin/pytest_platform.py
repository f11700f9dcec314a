"""pytest-platform: stream pytest results (RunResult v1) to the pytest-platform Redis stream.

A single-module pytest plugin. It is loaded through the ``pytest11`` entry point
``pytest_platform`` when installed with pip, and it also works when this file is copied
into a project as ``conftest.py``.

* Active only when ``REDIS_URL`` (or ``--platform-redis-url``) is set; a silent no-op otherwise.
  ``-p no:pytest_platform`` disables it.
* The test process never waits on the network while tests run: hooks only record results in
  memory; a daemon thread sends them. ``pytest_unconfigure`` waits for that thread at most the
  stop timeout (default 10 s) and never changes the exit code or raises.
* When Redis cannot be reached the whole run is written to a spool directory as
  ``{"type": "run", "data": <RunResult>}`` and sent by the next session or by
  ``python -m pytest_platform flush``.

Only the standard library, pytest and redis (imported lazily, in the sender thread) are used.
"""

from __future__ import annotations

import collections
import hashlib
import json
import os
import platform as _platform
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import pytest

__version__ = "0.1.0"

# ---------------------------------------------------------------------------------------------
# Contract limits (RunResult v1). Lengths are JavaScript string lengths (UTF-16 code units).
# ---------------------------------------------------------------------------------------------
MAX_NODEID = 4096
MAX_MESSAGE = 8192
MAX_LONGREPR = 65536
MAX_NAME = 255
MAX_FILE = 1024
MAX_ENV_KEYS = 64
MAX_ENV_KEY = 255
MAX_ENV_VALUE = 1024
MAX_TESTS_PER_RUN = 250000
MAX_TESTS_PER_BATCH = 5000
MAX_BATCH_BYTES = 1 << 20  # a live run.tests entry stays under ~1 MiB of JSON

TRUNCATED_SUFFIX = "\n\u2026 [truncated]"
_SUFFIX_UNITS = len(TRUNCATED_SUFFIX.encode("utf-16-le")) // 2

DEFAULT_STREAM = "pytest-platform:results"
DEFAULT_STOP_TIMEOUT = 10.0
DEFAULT_BATCH_SIZE = 200
DEFAULT_BATCH_SECONDS = 2.0
DEFAULT_HEARTBEAT_SECONDS = 30.0
CONNECT_TIMEOUT = 2.0
SOCKET_TIMEOUT = 5.0
GIT_TIMEOUT = 2.0

_SPOOL_NAME = re.compile(r"^\d+-[A-Za-z0-9][A-Za-z0-9._:-]*\.json$")
_OUTCOME_KEY = {
    "passed": "passed",
    "failed": "failed",
    "skipped": "skipped",
    "error": "errors",
    "xfailed": "xfailed",
    "xpassed": "xpassed",
}
_FALSY = {"0", "false", "no", "off", ""}


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------
def utf16_len(s: str) -> int:
    """Length of ``s`` as JavaScript counts it (UTF-16 code units)."""
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


def truncate(s, limit: int):
    """Cap ``s`` at ``limit`` UTF-16 code units, ending with the truncation marker when cut."""
    if s is None:
        return None
    n = len(s)
    if n * 2 <= limit:  # every code point is at most 2 UTF-16 units
        return s
    if n <= limit and utf16_len(s) <= limit:
        return s
    keep = max(limit - _SUFFIX_UNITS, 0)
    head = s.encode("utf-16-le", "surrogatepass")[: keep * 2]
    # "ignore" drops a surrogate pair cut in half
    return head.decode("utf-16-le", "ignore") + TRUNCATED_SUFFIX


def _truncate_unique(s: str, limit: int) -> str:
    """Like truncate(), but keeps distinct long strings distinct (used for nodeids)."""
    if len(s) * 2 <= limit or utf16_len(s) <= limit:
        return s
    digest = hashlib.sha1(s.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    tag = " #" + digest
    keep = max(limit - _SUFFIX_UNITS - len(tag), 0)
    head = s.encode("utf-16-le", "surrogatepass")[: keep * 2]
    return head.decode("utf-16-le", "ignore") + tag + TRUNCATED_SUFFIX


def _name(value, default=None):
    if value is None:
        return default
    value = str(value).strip()
    if not value:
        return default
    return truncate(value, MAX_NAME)


def _env(name, environ=None):
    v = (environ if environ is not None else os.environ).get(name)
    if v is None:
        return None
    v = v.strip()
    return v or None


def _env_float(name, default, environ=None):
    v = _env(name, environ)
    if v is None:
        return default
    try:
        f = float(v)
    except ValueError:
        return default
    return f if f >= 0 else default


def _env_bool(name, default, environ=None):
    v = (environ if environ is not None else os.environ).get(name)
    if v is None:
        return default
    return v.strip().lower() not in _FALSY


def iso_now() -> str:
    return iso_time(time.time())


def iso_time(t: float) -> str:
    g = time.gmtime(t)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
        g.tm_year, g.tm_mon, g.tm_mday, g.tm_hour, g.tm_min, g.tm_sec, int(t * 1000) % 1000)


def _dumps(obj) -> str:
    # ensure_ascii keeps the payload valid UTF-8 even with lone surrogates in test output
    return json.dumps(obj, separators=(",", ":"))


def redact_url(url: str) -> str:
    """Hide a password in a redis URL before printing it."""
    return re.sub(r"(//[^:/@]*:)[^@/]*@", r"\1***@", url or "")


def default_spool_dir(environ=None) -> str:
    environ = environ if environ is not None else os.environ
    d = _env("PYTEST_PLATFORM_SPOOL_DIR", environ)
    if d:
        return os.path.expanduser(d)
    base = _env("XDG_CACHE_HOME", environ) or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "pytest-platform", "spool")


def _first_line(text):
    if not text:
        return None
    for line in str(text).splitlines():
        if line.strip():
            return line.rstrip()
    return None


# ---------------------------------------------------------------------------------------------
# Identity: environment, then CI provider, then git/hostname
# ---------------------------------------------------------------------------------------------
def _ci_info(environ):
    """(provider, project, branch, commit, worker, url) from well-known CI variables."""
    e = lambda k: _env(k, environ)  # noqa: E731
    if e("GITHUB_ACTIONS") or e("GITHUB_SHA") or e("GITHUB_REPOSITORY"):
        url = None
        if e("GITHUB_REPOSITORY") and e("GITHUB_RUN_ID"):
            url = "%s/%s/actions/runs/%s" % (
                e("GITHUB_SERVER_URL") or "https://github.com",
                e("GITHUB_REPOSITORY"),
                e("GITHUB_RUN_ID"),
            )
        return ("github", e("GITHUB_REPOSITORY"), e("GITHUB_HEAD_REF") or e("GITHUB_REF_NAME"),
                e("GITHUB_SHA"), e("RUNNER_NAME"), url)
    if e("GITLAB_CI") or e("CI_PROJECT_NAME"):
        return ("gitlab", e("CI_PROJECT_NAME"), e("CI_COMMIT_REF_NAME"), e("CI_COMMIT_SHA"),
                e("CI_RUNNER_DESCRIPTION"), e("CI_JOB_URL") or e("CI_PIPELINE_URL"))
    if e("BUILDKITE") or e("BUILDKITE_PIPELINE_SLUG"):
        return ("buildkite", e("BUILDKITE_PIPELINE_SLUG"), e("BUILDKITE_BRANCH"),
                e("BUILDKITE_COMMIT"), e("BUILDKITE_AGENT_NAME"), e("BUILDKITE_BUILD_URL"))
    if e("CIRCLECI") or e("CIRCLE_PROJECT_REPONAME"):
        return ("circleci", e("CIRCLE_PROJECT_REPONAME"), e("CIRCLE_BRANCH"), e("CIRCLE_SHA1"),
                None, e("CIRCLE_BUILD_URL"))
    if e("JENKINS_URL") or e("JENKINS_HOME") or (e("JOB_NAME") and e("BUILD_URL")):
        branch = e("BRANCH_NAME") or e("GIT_BRANCH")
        if branch and branch.startswith("origin/"):
            branch = branch[len("origin/"):]
        return ("jenkins", e("JOB_NAME"), branch, e("GIT_COMMIT"), e("NODE_NAME"), e("BUILD_URL"))
    return (None, None, None, None, None, None)


def _git(cwd, *args):
    try:
        out = subprocess.run(
            ("git",) + args,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except Exception:
        return None
    if out.returncode != 0:
        return None
    return out.stdout.decode("utf-8", "replace").split()


def resolve_identity(rootdir=None, overrides=None, environ=None, use_git=True):
    """Return dict(project, branch, commit, worker_id, environment). Never raises."""
    environ = environ if environ is not None else os.environ
    o = overrides or {}
    provider, ci_project, ci_branch, ci_commit, ci_worker, ci_url = _ci_info(environ)
    project = o.get("project") or _env("PROJECT", environ) or ci_project
    branch = o.get("branch") or _env("BRANCH", environ) or ci_branch
    commit = o.get("commit") or _env("COMMIT", environ) or ci_commit
    worker = o.get("worker_id") or _env("WORKER_ID", environ) or ci_worker
    if use_git and (not branch or not commit) and rootdir:
        # one call: commit sha, then the branch name ("HEAD" when detached)
        out = _git(str(rootdir), "rev-parse", "HEAD", "--abbrev-ref", "HEAD")
        if out and len(out) >= 2:
            commit = commit or out[0]
            if not branch and out[1] != "HEAD":
                branch = out[1]
    if not worker:
        try:
            worker = socket.gethostname()
        except Exception:
            worker = None
    if not project and rootdir:
        project = os.path.basename(os.path.normpath(str(rootdir)))
    env = {"python": _platform.python_version()}
    try:
        env["platform"] = "%s-%s" % (sys.platform, _platform.machine())
        env["python_implementation"] = _platform.python_implementation()
    except Exception:
        pass
    if provider:
        env["ci"] = provider
    if ci_url:
        env["ci_url"] = ci_url
    return {
        "project": _name(project, "unknown"),
        "branch": _name(branch),
        "commit": _name(commit),
        "worker_id": _name(worker, "unknown"),
        "environment": clean_environment(env),
    }


def clean_environment(env):
    out = {}
    for k, v in env.items():
        if len(out) >= MAX_ENV_KEYS:
            break
        if v is None:
            continue
        k = truncate(str(k), MAX_ENV_KEY)
        if k in out:
            continue
        out[k] = truncate(str(v), MAX_ENV_VALUE)
    return out


# ---------------------------------------------------------------------------------------------
# Redis and spool
# ---------------------------------------------------------------------------------------------
class MiniRedis:
    """The few Redis commands the plugin needs (PING, XADD), over one socket.

    ``import redis`` costs 60-150 ms of CPU (it pulls in asyncio), which a test session would
    pay in GIL time; this client costs nothing to import. It speaks RESP2 to ``redis://``,
    ``rediss://`` and ``unix://`` URLs (user, password and db taken from the URL), with a 2 s
    connect timeout, a 5 s socket timeout and at most one reconnect per command.
    """

    def __init__(self, url, connect_timeout=CONNECT_TIMEOUT, socket_timeout=SOCKET_TIMEOUT):
        from urllib.parse import unquote, urlsplit

        u = urlsplit(url)
        if u.scheme not in ("redis", "rediss", "unix") or u.query:
            raise ValueError("unsupported by MiniRedis: " + redact_url(url))
        self.scheme = u.scheme
        self.host = u.hostname or "127.0.0.1"
        self.port = u.port or 6379
        self.path = unquote(u.path) if u.scheme == "unix" else None
        self.username = unquote(u.username) if u.username else None
        self.password = unquote(u.password) if u.password else None
        db = u.path.lstrip("/") if u.scheme != "unix" else ""
        self.db = int(db) if db else 0
        self.connect_timeout = connect_timeout
        self.socket_timeout = socket_timeout
        self._sock = None
        self._buf = b""

    # -- connection
    def _connect(self):
        if self.scheme == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.connect_timeout)
            sock.connect(self.path)
        else:
            sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.scheme == "rediss":
                import ssl

                sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.host)
        sock.settimeout(self.socket_timeout)
        self._sock, self._buf = sock, b""
        try:
            if self.password is not None:
                if self.username:
                    self._call("AUTH", self.username, self.password)
                else:
                    self._call("AUTH", self.password)
            if self.db:
                self._call("SELECT", str(self.db))
        except BaseException:
            self.close()
            raise

    def close(self):
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass

    # -- protocol
    @staticmethod
    def _encode(args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            if not isinstance(a, bytes):
                a = str(a).encode("utf-8", "surrogatepass")
            out.append(b"$%d\r\n" % len(a))
            out.append(a)
            out.append(b"\r\n")
        return b"".join(out)

    def _readline(self):
        while True:
            i = self._buf.find(b"\r\n")
            if i >= 0:
                line, self._buf = self._buf[:i], self._buf[i + 2:]
                return line
            chunk = self._sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed by server")
            self._buf += chunk

    def _readexact(self, n):
        while len(self._buf) < n:
            chunk = self._sock.recv(max(65536, n - len(self._buf)))
            if not chunk:
                raise ConnectionError("connection closed by server")
            self._buf += chunk
        data, self._buf = self._buf[:n], self._buf[n:]
        return data

    def _reply(self):
        line = self._readline()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode("utf-8", "replace")
        if kind == b"-":
            raise RedisReplyError(rest.decode("utf-8", "replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            return self._readexact(n + 2)[:-2].decode("utf-8", "replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise ConnectionError("bad reply from server: %r" % line[:80])

    def _call(self, *args):
        self._sock.sendall(self._encode(args))
        return self._reply()

    def execute(self, *args):
        fresh = self._sock is None
        if fresh:
            self._connect()
        try:
            return self._call(*args)
        except RedisReplyError:
            raise
        except (OSError, ConnectionError):
            self.close()
            if fresh:
                raise
        # the kept connection went stale (server restart, idle timeout): one reconnect
        self._connect()
        try:
            return self._call(*args)
        except (OSError, ConnectionError):
            self.close()
            raise

    def ping(self):
        return self.execute("PING")

    def xadd(self, stream, fields):
        args = ["XADD", stream, "*"]
        for k, v in fields.items():
            args.append(k)
            args.append(v)
        return self.execute(*args)


class RedisReplyError(Exception):
    """An error reply from Redis (e.g. WRONGTYPE)."""


def make_client(url):
    """MiniRedis for plain URLs; redis-py (short timeouts, no retry loops) for anything else.

    PYTEST_PLATFORM_REDIS_CLIENT=redis-py forces redis-py.
    """
    if (_env("PYTEST_PLATFORM_REDIS_CLIENT") or "").lower() not in ("redis-py", "redispy", "redis"):
        try:
            return MiniRedis(url)
        except ValueError:
            pass
    return _redis_py_client(url)


def _redis_py_client(url):
    import redis  # lazy: costs ~100 ms of import, only for URLs MiniRedis does not handle

    kwargs = dict(
        socket_connect_timeout=CONNECT_TIMEOUT,
        socket_timeout=SOCKET_TIMEOUT,
        health_check_interval=0,
    )
    try:
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        kwargs["retry"] = Retry(NoBackoff(), 0)
    except Exception:  # very old redis-py
        pass
    try:
        return redis.Redis.from_url(url, **kwargs)
    except TypeError:
        kwargs.pop("retry", None)
        return redis.Redis.from_url(url, **kwargs)


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
        client.xadd(stream, {"type": typ, "data": _dumps(data)})
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        sent += 1
    return sent, failed


# ---------------------------------------------------------------------------------------------
# The collector (main thread) and its sender (daemon thread)
# ---------------------------------------------------------------------------------------------
def _status(exitstatus) -> str:
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


def _longrepr_text(report):
    try:
        text = report.longreprtext
    except Exception:
        try:
            text = str(report.longrepr)
        except Exception:
            text = None
    return text or None


def _failure_message(report, text):
    crash = getattr(report.longrepr, "reprcrash", None)
    msg = getattr(crash, "message", None) if crash is not None else None
    if msg:
        line = _first_line(msg)
        # pytest drops "AssertionError: " from rewritten asserts without a message; put it back
        if line and line.startswith("assert ") and getattr(crash, "path", None) is not None:
            line = "AssertionError: " + line
        return line
    if text:
        for line in text.splitlines():  # pytest marks the exception line with "E   "
            if line.startswith("E "):
                return line[1:].strip() or None
    return _first_line(text)


def _skip_reason(report):
    lr = report.longrepr
    reason = None
    if isinstance(lr, tuple) and len(lr) == 3:
        reason = str(lr[2])
    elif lr is not None:
        reason = _first_line(str(lr))
    if reason and reason.startswith("Skipped: "):
        reason = reason[len("Skipped: "):]
    return reason or None


def _xfail_reason(report):
    reason = getattr(report, "wasxfail", None) or None
    if reason and reason.startswith("reason: "):
        reason = reason[len("reason: "):]
    return reason or None


class _State:
    """What is known about a test while its phases arrive."""

    __slots__ = ("duration", "attempts", "outcome", "message", "longrepr", "location")

    def __init__(self):
        self.duration = 0.0
        self.attempts = 1
        self.outcome = None
        self.message = None
        self.longrepr = None
        self.location = None


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
        self.rootdir = str(getattr(config, "rootpath", None) or getattr(config, "rootdir", "") or os.getcwd())

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
        self._spooled_path = None
        self._down = None  # str: why Redis could not be used
        self._warning = None
        self._lost = None

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
        st.duration += report.duration or 0.0
        outcome = report.outcome
        when = report.when
        if outcome == "passed":
            if when == "call":
                if st.outcome is None:
                    if "wasxfail" in report.__dict__:
                        st.outcome = "xpassed"
                        st.message = _xfail_reason(report)
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
                    st.message = _xfail_reason(report)
                else:
                    st.outcome = "skipped"
                    st.message = _skip_reason(report)
        else:  # failed
            cur = st.outcome
            if cur is None or (cur not in ("failed", "error") and when == "teardown"):
                text = _longrepr_text(report)
                st.outcome = "failed" if when == "call" else "error"
                st.message = _failure_message(report, text)
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
            text = _longrepr_text(report)
            st.outcome = "error"
            st.message = _failure_message(report, text)
            st.longrepr = text
        else:  # a module skipped at collection time (pytest.skip(allow_module_level=True))
            st.outcome = "skipped"
            st.message = _skip_reason(report)
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
                    "status": _status(exitstatus),
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
            "nodeid": nodeid if len(nodeid) <= MAX_NODEID // 2 else _truncate_unique(nodeid, MAX_NODEID),
            "outcome": outcome,
            "duration": st.duration if st.duration > 0 else 0.0,
            "message": message if message is None else truncate(message, MAX_MESSAGE),
            "longrepr": longrepr if longrepr is None else truncate(longrepr, MAX_LONGREPR),
            "attempts": st.attempts if st.attempts <= 1000 else 1000,
            "file": file,
            "line": line,
        }
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
        msg = self._warning
        if msg:
            sys.stderr.write(msg.replace("\n", " ") + "\n")
            sys.stderr.flush()

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
            ident = resolve_identity(self.rootdir, self.overrides, use_git=use_git)
            hdr = {
                "run_id": self.run_id,
                "project": ident["project"],
                "branch": ident["branch"],
                "commit": ident["commit"],
                "worker_id": ident["worker_id"],
                "framework": "pytest",
                "framework_version": _name(getattr(pytest, "__version__", None)),
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
            head = _dumps(hdr)[:-1] + ',"seq":'
            tests = _dumps(batch)
            while len(tests) > MAX_BATCH_BYTES and len(batch) > 1:  # rare: huge tracebacks
                keep = max(1, len(batch) // 2)
                for t in reversed(batch[keep:]):
                    pending.appendleft(t)
                batch = batch[:keep]
                tests = _dumps(batch)
            if not self._xadd(client, "run.tests", head + str(seq) + ',"tests":' + tests + "}"):
                return seq
            seq += 1
            if not final and len(pending) < self.batch_size:
                break
        return seq

    def _sender(self):
        try:
            self.header()
            client = make_client(self.url)
            seq = 0
            last_sent = time.monotonic()
            if self.live:
                self._xadd(client, "run.started", _dumps(self.header()))
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
                    self._xadd(client, "run.started", _dumps(self.header()))
                    last_sent = time.monotonic()
            if not isinstance(self._final, dict):
                return
            final = self._final_fields()
            if self.live:
                seq = self._send_batch(client, seq, final=True)
                finished = dict(self.header())
                for k in ("finished_at", "duration", "status", "summary"):
                    finished[k] = final[k]
                ok = self._xadd(client, "run.finished", _dumps(finished))
            else:
                ok = self._xadd(client, "run", self._run_json())
            if ok:
                self._delivered = True
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
        final["duration"] = round(max(final["duration"], 0.0), 6)
        return final

    def _run_json(self, use_git=True):
        run = dict(self.header(use_git))
        run.update(self._final_fields())
        return _dumps(run)

    def _spool(self, reason, use_git=True):
        with self._spool_lock:
            if self._delivered:
                return
            self._delivered = True
            where = redact_url(self.url)
            try:
                path = write_spool(self.spool_dir, self.run_id, self._run_json(use_git))
                self._spooled_path = path
                self._warning = (
                    "pytest-platform: could not send results to Redis at %s (%s); "
                    "run saved to %s, it will be sent by the next session or "
                    "`python -m pytest_platform flush`" % (where, reason, path)
                )
            except Exception as exc:
                self._lost = exc
                self._warning = (
                    "pytest-platform: could not send results to Redis at %s (%s) "
                    "nor write them to %s (%s): results of this run are lost"
                    % (where, reason, self.spool_dir, exc)
                )


class _TimedReporter(PlatformReporter):
    """Used only when PYTEST_PLATFORM_TIMING_FILE is set (benchmarks): times the per-test hook."""

    _logreport_ns = 0
    _logreport_calls = 0

    def pytest_runtest_logreport(self, report):
        t0 = time.perf_counter_ns()
        PlatformReporter.pytest_runtest_logreport(self, report)
        self._logreport_ns += time.perf_counter_ns() - t0
        self._logreport_calls += 1


# ---------------------------------------------------------------------------------------------
# Plugin entry points (module-level hooks)
# ---------------------------------------------------------------------------------------------
_ACTIVE_ATTR = "_pytest_platform_reporter"


def pytest_addoption(parser):
    group = parser.getgroup("platform", "pytest-platform result streaming")
    opts = [
        (("--platform-redis-url",), dict(dest="platform_redis_url", default=None, metavar="URL",
                                          help="Redis URL to send results to (env REDIS_URL). "
                                               "The plugin is inactive without one.")),
        (("--platform-project",), dict(dest="platform_project", default=None,
                                       help="project name (env PROJECT)")),
        (("--platform-branch",), dict(dest="platform_branch", default=None,
                                      help="branch name (env BRANCH)")),
        (("--platform-commit",), dict(dest="platform_commit", default=None,
                                      help="commit id (env COMMIT)")),
        (("--platform-worker-id",), dict(dest="platform_worker_id", default=None,
                                         help="worker id (env WORKER_ID, default hostname)")),
        (("--platform-no-live",), dict(dest="platform_no_live", action="store_true", default=False,
                                       help="send one `run` entry at the end instead of live "
                                            "entries (env PYTEST_PLATFORM_LIVE=0)")),
        (("--platform-stop-timeout",), dict(dest="platform_stop_timeout", default=None, type=float,
                                            metavar="SECONDS",
                                            help="max seconds to wait for the sender at exit "
                                                 "(env PYTEST_PLATFORM_STOP_TIMEOUT, default 10)")),
    ]
    for names, kw in opts:
        try:
            group.addoption(*names, **kw)
        except ValueError:  # already added (plugin installed and also copied as conftest.py)
            pass


def _options(config):
    o = config.option
    env = os.environ
    stop = getattr(o, "platform_stop_timeout", None)
    if stop is None or stop < 0:
        stop = _env_float("PYTEST_PLATFORM_STOP_TIMEOUT", DEFAULT_STOP_TIMEOUT)
    live = _env_bool("PYTEST_PLATFORM_LIVE", True) and not getattr(o, "platform_no_live", False)
    return {
        "stream": _env("RESULTS_STREAM") or DEFAULT_STREAM,
        "live": live,
        "stop_timeout": stop,
        "batch_size": int(_env_float("PYTEST_PLATFORM_BATCH_SIZE", DEFAULT_BATCH_SIZE) or DEFAULT_BATCH_SIZE),
        "batch_seconds": _env_float("PYTEST_PLATFORM_BATCH_SECONDS", DEFAULT_BATCH_SECONDS),
        "heartbeat_seconds": _env_float("PYTEST_PLATFORM_HEARTBEAT_SECONDS", DEFAULT_HEARTBEAT_SECONDS),
        "spool_dir": default_spool_dir(env),
        "timing_file": _env("PYTEST_PLATFORM_TIMING_FILE"),
        "overrides": {
            "project": getattr(o, "platform_project", None),
            "branch": getattr(o, "platform_branch", None),
            "commit": getattr(o, "platform_commit", None),
            "worker_id": getattr(o, "platform_worker_id", None),
        },
    }


def pytest_configure(config):
    try:
        if hasattr(config, "workerinput"):  # xdist worker: the controller reports
            return
        if getattr(config, _ACTIVE_ATTR, None) is not None:  # installed and copied as conftest
            return
        if getattr(config.option, "collectonly", False):  # listing tests is not a test run
            return
        url = getattr(config.option, "platform_redis_url", None) or _env("REDIS_URL")
        if not url:
            return
        options = _options(config)
        cls = _TimedReporter if options["timing_file"] else PlatformReporter
        reporter = cls(config, url, options)
        setattr(config, _ACTIVE_ATTR, reporter)
        config.pluginmanager.register(reporter, "pytest-platform-reporter")
    except Exception as exc:  # never break a test run
        try:
            sys.stderr.write("pytest-platform: disabled: %r\n" % (exc,))
        except Exception:
            pass


# ---------------------------------------------------------------------------------------------
# python -m pytest_platform flush
# ---------------------------------------------------------------------------------------------
def main(argv=None):
    import argparse

    ap = argparse.ArgumentParser(prog="python -m pytest_platform")
    sub = ap.add_subparsers(dest="cmd")
    fl = sub.add_parser("flush", help="send spooled runs to the Redis stream")
    fl.add_argument("--redis-url", default=None, help="default: $REDIS_URL or redis://127.0.0.1:6379")
    fl.add_argument("--stream", default=None, help="default: $RESULTS_STREAM or " + DEFAULT_STREAM)
    fl.add_argument("--spool-dir", default=None, help="default: $PYTEST_PLATFORM_SPOOL_DIR or the cache dir")
    args = ap.parse_args(argv)
    if args.cmd != "flush":
        ap.print_help()
        return 2
    url = args.redis_url or _env("REDIS_URL") or "redis://127.0.0.1:6379"
    stream = args.stream or _env("RESULTS_STREAM") or DEFAULT_STREAM
    spool_dir = args.spool_dir or default_spool_dir()
    try:
        client = make_client(url)
        sent, failed = flush_spool(client, stream, spool_dir)
    except Exception as exc:
        print("pytest-platform: cannot reach Redis at %s: %s" % (redact_url(url), exc), file=sys.stderr)
        return 1
    print("sent %d run%s from %s" % (sent, "" if sent == 1 else "s", spool_dir))
    if failed:
        print("pytest-platform: %d unreadable spool file(s) renamed to *.bad" % failed, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
