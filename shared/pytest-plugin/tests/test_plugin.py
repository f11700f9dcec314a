"""End-to-end tests of the plugin: a child pytest over the fixture suite, a real Redis stream."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from conftest import (
    HAVE_RERUN,
    REDIS_URL,
    SUITE,
    base_env,
    end_lines,
    expected_suite,
    free_port,
    normalize_output,
    read_entries,
    utf16_len,
    write_suite,
)

TRUNC = "\n\u2026 [truncated]"
SPOOL_NAME = re.compile(r"^\d+-[0-9a-f-]{36}\.json$")
HEADER_KEYS = ("run_id", "project", "branch", "commit", "worker_id", "build_id", "shard", "framework",
               "framework_version", "started_at", "environment")


def check_tests(tests, exp):
    by_id = {t["nodeid"]: t for t in tests}
    assert len(by_id) == len(tests), "nodeids must be unique within a run"
    assert set(by_id) == set(exp["tests"])
    for nodeid, want in exp["tests"].items():
        got = by_id[nodeid]
        assert got["outcome"] == want["outcome"], nodeid
        assert got["attempts"] == want["attempts"], nodeid
        assert got["message"] == want["message"], nodeid
        assert got["file"] == want["file"], nodeid
        assert isinstance(got["line"], int) and got["line"] >= 1, nodeid
        assert got["duration"] >= 0
        if got["outcome"] in ("failed", "error"):
            assert got["longrepr"] and want["message"].split(":")[0] in got["longrepr"]
    assert "assert 404 == 200" in by_id["test_outcomes.py::test_fail"]["longrepr"]


def check_header(entry, run_id=None, build_id=None):
    for k in HEADER_KEYS:
        assert k in entry, k
    assert entry["framework"] == "pytest"
    assert entry["framework_version"] == pytest.__version__
    assert entry["project"] == "plugin-tests"
    assert entry["build_id"] == build_id and entry["shard"] is None  # no CI in the child's environment
    assert "ci" not in entry["environment"]
    assert entry["environment"]["python"]
    if run_id:
        assert entry["run_id"] == run_id


def assemble_live(entries):
    """Check the live protocol and return (header, tests, finished)."""
    types = [t for t, _ in entries]
    assert types[0] == "run.started"
    assert types.count("run.finished") == 1 and types[-1] == "run.finished"
    assert "run" not in types
    run_id = entries[0][1]["run_id"]
    for _, d in entries:
        check_header(d, run_id)
    batches = [d for t, d in entries if t == "run.tests"]
    assert [b["seq"] for b in batches] == list(range(len(batches)))
    tests = [t for b in batches for t in b["tests"]]
    return entries[0][1], tests, entries[-1][1]


# --------------------------------------------------------------------------------------------
def test_live_mode_streams_started_batches_finished(runner, rclient, stream, validators):
    exp = expected_suite()
    proc = runner.run(SUITE, env=runner.env(PYTEST_PLATFORM_BATCH_SIZE=4))
    assert proc.returncode == exp["exit_code"], proc.stdout + proc.stderr
    entries = read_entries(rclient, stream, validators)
    header, tests, finished = assemble_live(entries)
    s = exp["summary"]
    assert proc.stderr == "pytest-platform: run %s \u00b7 %d failed, %d passed, %d skipped\n" % (
        header["run_id"], s["failed"] + s["errors"], s["passed"], s["skipped"])
    assert len([1 for t, _ in entries if t == "run.tests"]) >= 3  # 11 tests, batches of 4
    check_tests(tests, exp)
    assert finished["summary"] == exp["summary"]
    assert finished["status"] == exp["status"]
    assert finished["duration"] > 0
    assert finished["finished_at"] >= header["started_at"]


@pytest.mark.parametrize("how", ["option", "env"])
def test_non_live_sends_one_run_entry(runner, rclient, stream, validators, how):
    exp = expected_suite()
    if how == "option":
        proc = runner.run(SUITE, "--platform-no-live", "--platform-branch", "feature/x",
                          "--platform-project", "plugin-tests", "--platform-build-id", "nightly-7")
    else:
        proc = runner.run(SUITE, env=runner.env(PYTEST_PLATFORM_LIVE="off", BRANCH="feature/x",
                                                PYTEST_PLATFORM_BUILD_ID="nightly-7"))
    assert proc.returncode == exp["exit_code"], proc.stdout + proc.stderr
    entries = read_entries(rclient, stream, validators)
    assert [t for t, _ in entries] == ["run"]
    run = entries[0][1]
    check_header(run, build_id="nightly-7")
    assert run["branch"] == "feature/x"
    assert run["summary"] == exp["summary"]
    assert run["status"] == "failed"
    check_tests(run["tests"], exp)


@pytest.mark.parametrize("live", [False, True], ids=["non-live", "live"])
def test_xdist_one_run_from_the_controller(runner, rclient, stream, validators, live):
    pytest.importorskip("xdist")
    exp = expected_suite()
    env = runner.env(PYTEST_PLATFORM_LIVE="1" if live else "0", WORKER_ID="controller-1")
    proc = runner.run(SUITE, "-n", "2", env=env)
    assert proc.returncode == exp["exit_code"], proc.stdout + proc.stderr
    entries = read_entries(rclient, stream, validators)
    assert len({d["run_id"] for _, d in entries}) == 1
    if live:
        _, tests, finished = assemble_live(entries)
        summary = finished["summary"]
    else:
        assert [t for t, _ in entries] == ["run"]
        tests, summary = entries[0][1]["tests"], entries[0][1]["summary"]
    assert {d["worker_id"] for _, d in entries} == {"controller-1"}
    assert summary == exp["summary"]
    # one end line, from the controller
    assert [line[0] for line in end_lines(proc.stderr)] == [entries[0][1]["run_id"]]
    assert proc.stderr.count("pytest-platform") == 1
    check_tests(tests, exp)


def test_no_redis_url_is_a_silent_noop(runner, rclient, stream, spool_dir):
    env = runner.env(redis_url=None)
    with_plugin = runner.run(SUITE, env=env)
    without = runner.run(SUITE, "-p", "no:pytest_platform", env=runner.env(redis_url=None))
    assert with_plugin.returncode == without.returncode == expected_suite()["exit_code"]
    assert normalize_output(with_plugin.stdout) == normalize_output(without.stdout)
    assert with_plugin.stderr == without.stderr == ""
    assert rclient.exists(stream) == 0
    assert not spool_dir.exists()


def test_disabled_with_p_no(runner, rclient, stream):
    proc = runner.run(SUITE, "-p", "no:pytest_platform")
    assert proc.returncode == 1
    assert rclient.exists(stream) == 0


def test_redis_unreachable_spools_then_next_session_sends(runner, rclient, stream, validators, spool_dir):
    exp = expected_suite()
    dead = "redis://127.0.0.1:%d/0" % free_port()
    baseline = runner.run(SUITE, env=runner.env(redis_url=None))
    proc = runner.run(SUITE, env=runner.env(redis_url=dead, PYTEST_PLATFORM_STOP_TIMEOUT="5"))
    # identical to a run without the plugin, apart from one line on stderr
    assert proc.returncode == baseline.returncode == exp["exit_code"]
    assert normalize_output(proc.stdout) == normalize_output(baseline.stdout)
    extra = proc.stderr[len(baseline.stderr):] if proc.stderr.startswith(baseline.stderr) else proc.stderr
    lines = extra.splitlines()
    # the end line says why the run was not sent and where it went
    assert len(lines) == 1, proc.stderr
    assert "127.0.0.1" in lines[0] and "ConnectionRefusedError" in lines[0]  # not the stop timeout
    assert lines[0].endswith("): spooled to %s, sent by the next run" % spool_dir)
    assert rclient.exists(stream) == 0

    files = os.listdir(spool_dir)
    assert len(files) == 1 and SPOOL_NAME.match(files[0]), files
    entry = json.loads((spool_dir / files[0]).read_text())
    assert set(entry) == {"type", "data"} and entry["type"] == "run"
    errors = list(validators["run"].iter_errors(entry["data"]))
    assert not errors
    spooled = entry["data"]
    assert files[0].endswith("-%s.json" % spooled["run_id"])
    assert lines[0].startswith("pytest-platform: run %s \u00b7 " % spooled["run_id"])
    assert spooled["summary"] == exp["summary"]
    check_tests(spooled["tests"], exp)

    # next session, Redis up: the spooled run is sent once and the spool is emptied
    proc2 = runner.run(SUITE, "--platform-no-live")
    assert proc2.returncode == exp["exit_code"]
    entries = read_entries(rclient, stream, validators)
    runs = [d for t, d in entries if t == "run"]
    assert len(runs) == 2
    (new_run_id,) = {d["run_id"] for d in runs} - {spooled["run_id"]}
    assert [line[0] for line in end_lines(proc2.stderr)] == [new_run_id]
    assert len(proc2.stderr.splitlines()) == 1
    assert [d["run_id"] for d in runs].count(spooled["run_id"]) == 1
    assert next(d for d in runs if d["run_id"] == spooled["run_id"]) == spooled
    assert os.listdir(spool_dir) == []


def test_redis_down_mid_run_in_live_mode_spools_whole_run(runner, rclient, stream, validators, spool_dir, tmp_path):
    """Live entries were sent, then the stream became unwritable: the whole run is spooled."""
    suite = write_suite(tmp_path / "midrun", {
        "test_mid.py": (
            "import os, time, redis\n"
            "def test_a():\n    pass\n"
            "def test_b():\n    time.sleep(0.4)\n"
            "def test_break_the_stream():\n"
            "    r = redis.Redis.from_url(os.environ['REDIS_URL'])\n"
            "    key = os.environ['RESULTS_STREAM']\n"
            "    r.delete(key); r.set(key, 'not a stream')\n"
        ),
    })
    proc = runner.run(suite, env=runner.env(PYTEST_PLATFORM_BATCH_SECONDS="0.1"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "WRONGTYPE" in lines[0], proc.stderr
    assert "): spooled to %s" % spool_dir in lines[0]
    files = os.listdir(spool_dir)
    assert len(files) == 1
    entry = json.loads((spool_dir / files[0]).read_text())
    assert entry["type"] == "run" and not list(validators["run"].iter_errors(entry["data"]))
    assert entry["data"]["summary"]["total"] == 3 and entry["data"]["summary"]["passed"] == 3
    rclient.delete(stream)


class _SilentServer:
    """Accepts TCP connections and never answers: a Redis that hangs."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = "redis://127.0.0.1:%d/0" % self.sock.getsockname()[1]

    def close(self):
        self.sock.close()


@pytest.mark.parametrize("live", ["1", "0"], ids=["live", "non-live"])
def test_stop_timeout_bounds_the_exit_when_redis_hangs(runner, spool_dir, validators, live):
    server = _SilentServer()
    try:
        baseline = runner.run(SUITE, env=runner.env(redis_url=None))
        if live == "1":  # the timeout from the environment ...
            proc = runner.run(SUITE, env=runner.env(redis_url=server.url, PYTEST_PLATFORM_STOP_TIMEOUT="1"))
        else:  # ... and from the option
            proc = runner.run(SUITE, "--platform-no-live", "--platform-stop-timeout", "1",
                              env=runner.env(redis_url=server.url))
    finally:
        server.close()
    assert proc.returncode == baseline.returncode == 1
    assert normalize_output(proc.stdout) == normalize_output(baseline.stdout)
    lines = proc.stderr.splitlines()
    # the 1 s stop timeout, not the 5 s socket timeout, ended the wait
    assert len(lines) == 1 and "no answer within the 1s stop timeout" in lines[0], proc.stderr
    assert "): spooled to %s" % spool_dir in lines[0]
    files = os.listdir(spool_dir)
    assert len(files) == 1
    entry = json.loads((spool_dir / files[0]).read_text())
    assert not list(validators["run"].iter_errors(entry["data"]))
    assert entry["data"]["summary"] == expected_suite()["summary"]


def test_flush_command_sends_the_spool(runner, rclient, stream, validators, spool_dir):
    dead = "redis://127.0.0.1:%d/0" % free_port()
    for _ in range(2):
        proc = runner.run(SUITE, "--platform-no-live", env=runner.env(redis_url=dead))
        assert proc.returncode == 1
    assert len(os.listdir(spool_dir)) == 2
    env = base_env(REDIS_URL=dead, RESULTS_STREAM=stream, PYTEST_PLATFORM_SPOOL_DIR=spool_dir)
    cmd = [sys.executable, "-m", "pytest_platform", "flush"]
    down = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=30)
    assert down.returncode == 1 and "cannot reach Redis" in down.stderr
    assert len(os.listdir(spool_dir)) == 2
    env["REDIS_URL"] = REDIS_URL
    up = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=30)
    assert up.returncode == 0, up.stderr
    assert up.stdout.startswith("sent 2 runs"), up.stdout
    assert os.listdir(spool_dir) == []
    entries = read_entries(rclient, stream, validators)
    assert [t for t, _ in entries] == ["run", "run"]
    assert len({d["run_id"] for _, d in entries}) == 2
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=30)
    assert again.stdout.startswith("sent 0 runs")


def test_sigkill_mid_run_leaves_started_and_sent_batches(runner, rclient, stream, validators, tmp_path):
    marker = tmp_path / "hanging"
    suite = write_suite(tmp_path / "killme", {
        "test_kill.py": (
            "import os, time, pytest\n"
            "@pytest.mark.parametrize('i', range(5))\n"
            "def test_quick(i):\n    assert i >= 0\n"
            "def test_zz_hang():\n"
            "    open(os.environ['HANG_MARKER'], 'w').close()\n"
            "    time.sleep(60)\n"
        ),
    })
    env = runner.env(PYTEST_PLATFORM_BATCH_SECONDS="0.2", HANG_MARKER=marker)
    proc = subprocess.Popen([sys.executable, "-m", "pytest", str(suite)], env=env, cwd=str(tmp_path),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        sent = 0
        while time.monotonic() < deadline:
            if marker.exists():
                sent = sum(len(json.loads(f["data"])["tests"])
                           for _, f in rclient.xrange(stream) if f["type"] == "run.tests")
                if sent >= 5:
                    break
            time.sleep(0.05)
        assert sent == 5
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    entries = read_entries(rclient, stream, validators)
    types = [t for t, _ in entries]
    assert types[0] == "run.started"
    assert "run.finished" not in types and "run" not in types
    tests = [t for _, d in entries if _ == "run.tests" for t in d["tests"]]
    assert sorted(t["nodeid"] for t in tests) == ["test_kill.py::test_quick[%d]" % i for i in range(5)]
    assert len({d["run_id"] for _, d in entries}) == 1


def test_heartbeat_resends_run_started(runner, rclient, stream, validators, tmp_path):
    suite = write_suite(tmp_path / "slow", {
        "test_slow.py": "import time\ndef test_slow():\n    time.sleep(1.3)\n",
    })
    proc = runner.run(suite, env=runner.env(PYTEST_PLATFORM_HEARTBEAT_SECONDS="0.3"))
    assert proc.returncode == 0
    entries = read_entries(rclient, stream, validators)
    types = [t for t, _ in entries]
    assert types.count("run.started") >= 3
    assert types[-1] == "run.finished"
    started = [d for t, d in entries if t == "run.started"]
    assert all(d == started[0] for d in started)  # idempotent


def test_truncation_of_huge_values(runner, rclient, stream, validators, tmp_path):
    suite = write_suite(tmp_path / "huge", {
        "test_huge.py": (
            "import pytest\n"
            "def test_huge_message():\n"
            "    assert False, '\\U0001F600' * 40000 + 'x' * 100000\n"
            "@pytest.mark.parametrize('v', [1], ids=['p' * 5000])\n"
            "def test_long_id(v):\n    pass\n"
            "@pytest.mark.parametrize('v', [1], ids=['p' * 4999 + 'q'])\n"
            "def test_long_id2(v):\n    pass\n"
        ),
    })
    proc = runner.run(suite, "--platform-no-live")
    assert proc.returncode == 1
    (typ, run), = read_entries(rclient, stream, validators)
    by_outcome = {}
    for t in run["tests"]:
        by_outcome.setdefault(t["outcome"], []).append(t)
    (failed,) = by_outcome["failed"]
    assert utf16_len(failed["message"]) <= 8192 and failed["message"].endswith(TRUNC)
    assert failed["message"].startswith("AssertionError: \U0001F600")
    assert utf16_len(failed["longrepr"]) <= 65536 and failed["longrepr"].endswith(TRUNC)
    assert utf16_len(failed["longrepr"]) > 65000
    long_ids = [t["nodeid"] for t in by_outcome["passed"]]
    assert len(long_ids) == 2 and len(set(long_ids)) == 2  # still unique after truncation
    for nodeid in long_ids:
        assert utf16_len(nodeid) <= 4096 and nodeid.endswith(TRUNC)


def test_collection_error_is_one_error_test(runner, rclient, stream, validators, tmp_path):
    suite = write_suite(tmp_path / "broken", {
        "test_ok.py": "def test_ok():\n    pass\n",
        "test_broken.py": "import not_a_module_anywhere\n\ndef test_x():\n    pass\n",
    })
    proc = runner.run(suite, "--platform-no-live")
    assert proc.returncode == 2  # pytest stops: errors during collection
    (typ, run), = read_entries(rclient, stream, validators)
    assert run["status"] == "interrupted"
    (t,) = run["tests"]
    assert t["nodeid"] == "test_broken.py" and t["outcome"] == "error"
    assert t["file"] == "test_broken.py"
    assert "not_a_module_anywhere" in t["message"] and "ModuleNotFoundError" in t["message"]
    assert run["summary"]["errors"] == 1 and run["summary"]["total"] == 1

    rclient.delete(stream)
    proc = runner.run(suite, "--platform-no-live", "--continue-on-collection-errors")
    assert proc.returncode == 1
    (typ, run), = read_entries(rclient, stream, validators)
    assert run["status"] == "failed"
    assert {t["nodeid"]: t["outcome"] for t in run["tests"]} == {
        "test_broken.py": "error", "test_ok.py::test_ok": "passed"}


@pytest.mark.skipif(not HAVE_RERUN, reason="pytest-rerunfailures is not importable (run scripts/setup-venv.sh)")
def test_rerunfailures_is_really_used(runner, rclient, stream, validators):
    proc = runner.run(SUITE, "--platform-no-live", "-k", "flaky")
    assert "1 rerun" in proc.stdout
    (_, run), = read_entries(rclient, stream, validators)
    (t,) = run["tests"]
    assert (t["outcome"], t["attempts"]) == ("passed", 2)
    assert run["summary"]["flaky"] == 1 and run["status"] == "passed"


@pytest.mark.parametrize("client", ["mini", "redis-py"])
def test_redis_clients_and_db_in_url(runner, stream, validators, client):
    """The built-in RESP client and redis-py (forced, or for URLs with options) send the same run;
    the db number of the URL is honoured."""
    import redis

    db2 = redis.Redis.from_url(REDIS_URL.rsplit("/", 1)[0] + "/2", decode_responses=True)
    try:
        env = runner.env(redis_url=REDIS_URL.rsplit("/", 1)[0] + "/2", PYTEST_PLATFORM_LIVE="0",
                         PYTEST_PLATFORM_REDIS_CLIENT=client if client == "redis-py" else None)
        proc = runner.run(SUITE, env=env)
        assert proc.returncode == 1, proc.stderr
        (typ, run), = read_entries(db2, stream, validators)
        assert [line[0] for line in end_lines(proc.stderr)] == [run["run_id"]]
        assert len(proc.stderr.splitlines()) == 1
        assert typ == "run" and run["summary"] == expected_suite()["summary"]
    finally:
        db2.delete(stream)


def test_live_batches_stay_under_one_mib(runner, rclient, stream, validators, tmp_path):
    suite = write_suite(tmp_path / "bigbatch", {
        "test_big.py": (
            "import pytest\n"
            "@pytest.mark.parametrize('i', range(40))\n"
            "def test_big(i):\n    assert False, 'y' * 60000\n"
        ),
    })
    proc = runner.run(suite, env=runner.env(PYTEST_PLATFORM_BATCH_SECONDS="30"))
    assert proc.returncode == 1
    sizes = [len(f["data"]) for _, f in rclient.xrange(stream) if f["type"] == "run.tests"]
    assert len(sizes) >= 3 and max(sizes) <= (1 << 20) + 4096, sizes
    entries = read_entries(rclient, stream, validators)
    _, tests, finished = assemble_live(entries)
    assert sorted(t["nodeid"] for t in tests) == sorted("test_big.py::test_big[%d]" % i for i in range(40))
    assert finished["summary"]["failed"] == 40
