"""--platform-quarantine: a child pytest, the quarantine list in a real Redis, the run on a real stream."""
from __future__ import annotations

import json
import re
import socket
import threading

import pytest

from conftest import free_port, read_entries, write_suite

PROJECT = "plugin-tests"  # base_env's PROJECT

SUITE = {
    "test_q.py": (
        "import pytest\n\n"
        "def test_pass():\n    pass\n\n"
        "def test_flaky():\n    assert 1 == 2, 'flaky failure'\n\n"
        "def test_broken():\n    assert 'a' == 'b'\n\n"
        "@pytest.fixture\n"
        "def bad():\n    raise RuntimeError('setup went wrong')\n\n"
        "def test_setup_error(bad):\n    pass\n"
    ),
}


def entry(nodeid, reason="flips on main", expires_at=None):
    return {"nodeid": nodeid, "reason": reason, "since": "2026-11-20T08:00:00.000Z", "expires_at": expires_at, "by": "api"}


@pytest.fixture
def publish(rclient, stream):
    """Writes the project's quarantine list as the platform publishes it; removed after the test."""
    key = "%s:quarantine:%s" % (stream, PROJECT)

    def put(*entries, raw=None):
        rclient.set(key, raw if raw is not None else json.dumps(
            {"project": PROJECT, "updated_at": "2026-12-01T00:00:00.000Z", "tests": list(entries)}))

    yield put
    rclient.delete(key)


def the_run(rclient, stream, validators):
    """The run of a non-live session, from the stream."""
    entries = read_entries(rclient, stream, validators)
    assert [t for t, _ in entries] == ["run"]
    return entries[0][1]


def by_nodeid(run):
    return {t["nodeid"]: t for t in run["tests"]}


def normalize(text):
    return re.sub(r" in \d+(\.\d+)?s", " in Ns", text)


def plugin_lines(stderr):
    return [line for line in stderr.splitlines() if line.startswith("pytest-platform: ")]


@pytest.mark.parametrize("how", ["option", "env"])
def test_the_only_failure_quarantined_exits_0_and_is_stored_failed_and_quarantined(runner, rclient, stream, validators, publish, tmp_path, how):
    suite = write_suite(tmp_path / "suite", SUITE)
    publish(entry("test_q.py::test_flaky", reason="3 flips in 30 runs"))
    args = [suite, "--platform-no-live", "-k", "pass or flaky"]
    env = runner.env(PYTEST_PLATFORM_QUARANTINE="1") if how == "env" else None
    proc = runner.run(*args, *(["--platform-quarantine"] if how == "option" else []), env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 failed, 1 passed" in proc.stdout  # still reported as failed
    assert "pytest-platform: 1 quarantined failure ignored" in proc.stdout
    assert "QUARANTINED test_q.py::test_flaky - 3 flips in 30 runs" in proc.stdout
    run = the_run(rclient, stream, validators)
    tests = by_nodeid(run)
    assert tests["test_q.py::test_flaky"]["outcome"] == "failed"
    assert tests["test_q.py::test_flaky"]["quarantined"] is True
    assert "quarantined" not in tests["test_q.py::test_pass"]
    assert run["summary"]["failed"] == 1 and run["status"] == "passed"  # the session passed
    assert plugin_lines(proc.stderr) == [
        "pytest-platform: run %s \u00b7 1 failed, 1 passed, 0 skipped" % run["run_id"]]


def test_a_second_unquarantined_failure_fails_the_session(runner, rclient, stream, validators, publish, tmp_path):
    suite = write_suite(tmp_path / "suite", SUITE)
    publish(entry("test_q.py::test_flaky"))
    proc = runner.run(suite, "--platform-no-live", "--platform-quarantine", "-k", "pass or flaky or broken")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "2 failed, 1 passed" in proc.stdout
    assert "QUARANTINED test_q.py::test_flaky - flips on main" in proc.stdout
    run = the_run(rclient, stream, validators)
    tests = by_nodeid(run)
    assert tests["test_q.py::test_flaky"]["quarantined"] is True
    assert "quarantined" not in tests["test_q.py::test_broken"]
    assert run["status"] == "failed"


def test_a_quarantined_setup_error_is_ignored_too_and_live_entries_carry_the_mark(runner, rclient, stream, validators, publish, tmp_path):
    suite = write_suite(tmp_path / "suite", SUITE)
    publish(entry("test_q.py::test_setup_error"), entry("test_q.py::test_flaky"))
    proc = runner.run(suite, "--platform-quarantine", "-k", "not broken")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "pytest-platform: 2 quarantined failures ignored" in proc.stdout
    entries = read_entries(rclient, stream, validators)
    tests = {t["nodeid"]: t for typ, d in entries if typ == "run.tests" for t in d["tests"]}
    assert tests["test_q.py::test_setup_error"]["outcome"] == "error"
    assert tests["test_q.py::test_setup_error"]["quarantined"] is True
    assert entries[-1][1]["status"] == "passed"


def test_without_the_flag_the_list_changes_nothing(runner, rclient, stream, validators, publish, tmp_path):
    suite = write_suite(tmp_path / "suite", SUITE)
    publish(entry("test_q.py::test_flaky"))
    proc = runner.run(suite, "--platform-no-live", "-k", "pass or flaky")
    assert proc.returncode == 1
    assert "quarantined" not in proc.stdout
    assert all("quarantined" not in t for t in the_run(rclient, stream, validators)["tests"])


def test_an_expired_entry_is_not_quarantined(runner, rclient, stream, validators, publish, tmp_path):
    suite = write_suite(tmp_path / "suite", SUITE)
    publish(entry("test_q.py::test_flaky", expires_at="2020-01-01T00:00:00.000Z"),
            entry("test_q.py::test_pass", expires_at="2999-01-01T00:00:00.000Z"))
    proc = runner.run(suite, "--platform-no-live", "--platform-quarantine", "-k", "pass or flaky")
    assert proc.returncode == 1, proc.stdout
    assert "quarantined failure" not in proc.stdout
    assert all("quarantined" not in t for t in the_run(rclient, stream, validators)["tests"])


def test_maxfail_does_not_stop_at_a_quarantined_failure(runner, rclient, stream, validators, publish, tmp_path):
    suite = write_suite(tmp_path / "suite", {
        "test_m.py": "def test_a():\n    assert False\n\ndef test_b():\n    pass\n\ndef test_c():\n    assert False\n\ndef test_d():\n    pass\n",
    })
    publish(entry("test_m.py::test_a"))
    proc = runner.run(suite, "--platform-no-live", "--platform-quarantine", "-x")
    assert proc.returncode == 1
    ran = by_nodeid(the_run(rclient, stream, validators))
    assert sorted(ran) == ["test_m.py::test_a", "test_m.py::test_b", "test_m.py::test_c"]  # stopped at c, not at a


def test_under_xdist_the_controller_decides(runner, rclient, stream, validators, publish, tmp_path):
    pytest.importorskip("xdist")
    suite = write_suite(tmp_path / "suite", SUITE)
    publish(entry("test_q.py::test_flaky"))
    proc = runner.run(suite, "--platform-no-live", "--platform-quarantine", "-n", "2", "-k", "pass or flaky")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("QUARANTINED test_q.py::test_flaky") == 1
    assert by_nodeid(the_run(rclient, stream, validators))["test_q.py::test_flaky"]["quarantined"] is True


def test_redis_unreachable_the_flag_changes_nothing_but_one_warning(runner, tmp_path, publish):
    suite = write_suite(tmp_path / "suite", SUITE)
    dead = "redis://127.0.0.1:%d" % free_port()
    env = runner.env(redis_url=dead)
    without = runner.run(suite, "--platform-no-live", "-k", "pass or flaky", env=env)
    with_flag = runner.run(suite, "--platform-no-live", "-k", "pass or flaky", "--platform-quarantine", env=env)
    assert with_flag.returncode == without.returncode == 1
    assert normalize(with_flag.stdout) == normalize(without.stdout)
    extra = [line for line in with_flag.stderr.splitlines() if line not in without.stderr.splitlines()]
    others = [line for line in extra if "spooled to" not in line]  # each session's own end line names its run
    assert others == ["pytest-platform: could not read the quarantine list from Redis at %s "
                      "(ConnectionRefusedError: [Errno 111] Connection refused): no test is quarantined" % dead]


def test_a_missing_list_says_nothing_and_an_invalid_one_says_so(runner, stream, publish, tmp_path):
    suite = write_suite(tmp_path / "suite", SUITE)
    proc = runner.run(suite, "--platform-no-live", "--platform-quarantine", "-k", "pass or flaky")
    assert proc.returncode == 1
    assert len(plugin_lines(proc.stderr)) == 1  # the end line alone
    publish(raw="{not json")
    proc = runner.run(suite, "--platform-no-live", "--platform-quarantine", "-k", "pass or flaky")
    assert proc.returncode == 1
    assert [line for line in plugin_lines(proc.stderr) if "quarantine" in line] == [
        "pytest-platform: the quarantine list at %s:quarantine:%s is not valid "
        "(not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)): no test is quarantined"
        % (stream, PROJECT)]


def test_no_redis_url_quarantines_nothing_and_says_so_once(runner, tmp_path):
    suite = write_suite(tmp_path / "suite", SUITE)
    proc = runner.run(suite, "--platform-quarantine", "-k", "pass or flaky", env=runner.env(redis_url=None))
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "pytest-platform: no Redis URL (PYTEST_PLATFORM_REDIS_URL or REDIS_URL), so the quarantine list is not read: "
        "no test is quarantined"]


def test_the_read_is_bounded_when_redis_never_answers(runner, tmp_path):
    """A server that accepts and never answers: the session goes on after the read's bound, and says so."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held = []

    def accept():
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    try:
        suite = write_suite(tmp_path / "suite", SUITE)
        url = "redis://127.0.0.1:%d" % server.getsockname()[1]
        proc = runner.run(suite, "--platform-no-live", "--platform-quarantine", "-k", "pass or flaky",
                          "--platform-stop-timeout", "1", env=runner.env(redis_url=url), timeout=60)
        assert proc.returncode == 1
        assert ("pytest-platform: could not read the quarantine list from Redis at %s (no answer within 1 s): "
                "no test is quarantined" % url) in proc.stderr.splitlines()
    finally:
        server.close()
        for conn in held:
            conn.close()
