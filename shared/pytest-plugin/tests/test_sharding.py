"""--platform-shard: child pytest sessions, recorded durations in a real Redis, runs on a real stream."""
from __future__ import annotations

import json

import pytest

from conftest import free_port, read_entries, write_suite
from pytest_platform.sharding import plan_shards

PROJECT = "plugin-tests"  # base_env's PROJECT

# Eight files of 1-4 tests (one parametrized, one class): 18 tests in all.
SUITE = {"test_s%d.py" % i: "".join("def test_%d_%d():\n    pass\n\n" % (i, j) for j in range(1 + i % 4)) for i in range(6)}
SUITE["test_param.py"] = "import pytest\n\n@pytest.mark.parametrize('n', range(3))\ndef test_p(n):\n    pass\n"
SUITE["test_cls.py"] = "class TestK:\n    def test_a(self):\n        pass\n\n    def test_b(self):\n        pass\n"
FILES = sorted(SUITE)
ALL_TESTS = sorted(
    ["test_s%d.py::test_%d_%d" % (i, i, j) for i in range(6) for j in range(1 + i % 4)]
    + ["test_param.py::test_p[%d]" % n for n in range(3)]
    + ["test_cls.py::TestK::test_a", "test_cls.py::TestK::test_b"])
FILE_SECONDS = {"test_s0.py": 9.0, "test_s1.py": 1.0, "test_s2.py": 4.5, "test_s3.py": 3.0, "test_param.py": 7.25, "test_cls.py": 0.5}
# test_s4.py and test_s5.py have no record: they count as the median of the others.


@pytest.fixture
def durations(rclient, stream):
    """Publishes the project's durations as ingest does; removes them (and build snapshots) after the test."""
    key = "%s:durations:%s" % (stream, PROJECT)

    def put(files=None, tests=None):
        rclient.set(key, json.dumps({"project": PROJECT, "updated_at": "2026-12-01T00:00:00.000Z",
                                     "tests": tests or {}, "files": files or {}}))

    yield put
    for k in rclient.scan_iter(match=key + "*"):
        rclient.delete(k)


def runs_on(rclient, stream, validators):
    """Every run of the (non-live) sessions on the stream."""
    entries = read_entries(rclient, stream, validators)
    assert {t for t, _ in entries} == {"run"}
    return [d for _, d in entries]


def nodeids(run):
    return sorted(t["nodeid"] for t in run["tests"])


def files_of(run):
    return sorted({t["nodeid"].split("::")[0] for t in run["tests"]})


def test_three_shards_run_every_test_exactly_once_packed_by_recorded_file_durations(runner, rclient, stream, validators, durations, tmp_path):
    suite = write_suite(tmp_path / "suite", SUITE)
    durations(files=FILE_SECONDS)
    env = runner.env(PYTEST_PLATFORM_BUILD_ID="build-3")
    for k in (1, 2, 3):
        proc = runner.run(suite, "--platform-no-live", "--platform-shard", "%d/3" % k, env=env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert proc.stderr.count("pytest-platform: ") == 1, proc.stderr  # the end line: no warning
    runs = runs_on(rclient, stream, validators)
    assert [r["shard"] for r in runs] == ["1/3", "2/3", "3/3"]
    assert {r["build_id"] for r in runs} == {"build-3"}
    every = [t for r in runs for t in nodeids(r)]
    assert sorted(every) == ALL_TESTS and len(every) == len(set(every)) == 18
    plan = plan_shards(FILES, FILE_SECONDS, 3)
    assert [files_of(r) for r in runs] == plan
    # s0 9, param 7.25, s2 4.5, s4 and s5 3.75 (the median), s3 3, s1 1, cls 0.5, each to the least loaded shard
    assert plan == [["test_cls.py", "test_s0.py", "test_s1.py"], ["test_param.py", "test_s5.py"], ["test_s2.py", "test_s3.py", "test_s4.py"]]


def test_split_by_test_with_the_environment_variables(runner, rclient, stream, validators, durations, tmp_path):
    suite = write_suite(tmp_path / "suite", SUITE)
    tests = {t: 0.1 * (i + 1) for i, t in enumerate(ALL_TESTS) if i % 3}
    durations(tests=tests)
    got = []
    for k in (1, 2):
        proc = runner.run(suite, "--platform-no-live", env=runner.env(PYTEST_PLATFORM_SHARD="%d/2" % k, PYTEST_PLATFORM_SHARD_BY="test"))
        assert proc.returncode == 0, proc.stdout + proc.stderr
    runs = runs_on(rclient, stream, validators)
    got = [nodeids(r) for r in runs]
    assert got == plan_shards(ALL_TESTS, tests, 2)
    assert all(len({n.split("::")[0] for n in g}) > 1 for g in got)
    assert [r["shard"] for r in runs] == ["1/2", "2/2"]


def test_xdist_workers_keep_the_same_shard_as_a_single_process(runner, rclient, stream, validators, durations, tmp_path):
    pytest.importorskip("xdist")
    suite = write_suite(tmp_path / "suite", SUITE)
    durations(files=FILE_SECONDS)
    single = runner.run(suite, "--platform-no-live", "--platform-shard", "2/3")
    spread = runner.run(suite, "--platform-no-live", "--platform-shard", "2/3", "-n", "2")
    assert single.returncode == spread.returncode == 0, spread.stdout + spread.stderr
    first, second = runs_on(rclient, stream, validators)
    assert nodeids(first) == nodeids(second) and files_of(first) == plan_shards(FILES, FILE_SECONDS, 3)[1]
    assert second["shard"] == "2/3"


def test_the_shards_of_one_build_split_by_one_snapshot_while_the_record_changes(runner, rclient, stream, validators, durations, tmp_path):
    suite = write_suite(tmp_path / "suite", SUITE)
    before = {"test_s0.py": 10.0, "test_s1.py": 9.0}
    after = {"test_s0.py": 1.0, "test_s1.py": 1.0, "test_cls.py": 20.0, "test_param.py": 12.0}
    assert plan_shards(FILES, before, 2) != plan_shards(FILES, after, 2)
    durations(files=before)
    one = runner.run(suite, "--platform-no-live", "--platform-shard", "1/2", env=runner.env(PYTEST_PLATFORM_BUILD_ID="b-1"))
    durations(files=after)  # ingest stored another run meanwhile
    two = runner.run(suite, "--platform-no-live", "--platform-shard", "2/2", env=runner.env(PYTEST_PLATFORM_BUILD_ID="b-1"))
    other = runner.run(suite, "--platform-no-live", "--platform-shard", "2/2", env=runner.env(PYTEST_PLATFORM_BUILD_ID="b-2"))
    assert one.returncode == two.returncode == other.returncode == 0
    r1, r2, r3 = runs_on(rclient, stream, validators)
    every = nodeids(r1) + nodeids(r2)
    assert sorted(every) == ALL_TESTS and len(every) == len(set(every))
    assert [files_of(r1), files_of(r2)] == plan_shards(FILES, before, 2)
    assert files_of(r3) == plan_shards(FILES, after, 2)[1]  # a new build reads the new record
    snapshot = "%s:durations:%s:build:b-1" % (stream, PROJECT)
    assert json.loads(rclient.get(snapshot))["files"] == before and 0 < rclient.ttl(snapshot) <= 86400


def test_without_a_record_or_redis_shards_split_by_count_and_say_so_once(runner, rclient, stream, validators, tmp_path):
    suite = write_suite(tmp_path / "suite", SUITE)
    by_count = plan_shards(FILES, {}, 2)
    proc = runner.run(suite, "--platform-no-live", "--platform-shard", "1/2")
    assert proc.returncode == 0
    assert [line for line in proc.stderr.splitlines() if "durations" in line] == [
        "pytest-platform: no recorded durations for project plugin-tests yet: shards are split by count"]
    assert files_of(runs_on(rclient, stream, validators)[0]) == by_count[0]

    dead = "redis://127.0.0.1:%d" % free_port()
    proc = runner.run("--platform-shard", "2/2", "-v", env=runner.env(redis_url=dead), cwd=suite)
    assert proc.returncode == 0
    assert "pytest-platform: could not read the recorded durations from Redis at %s" % dead in proc.stderr
    assert sorted({line.split("::")[0] for line in proc.stdout.splitlines() if " PASSED" in line}) == by_count[1]

    proc = runner.run("--platform-shard", "2/2", "-v", env=runner.env(redis_url=None), cwd=suite)
    assert proc.stderr.splitlines() == [
        "pytest-platform: no Redis URL (PYTEST_PLATFORM_REDIS_URL or REDIS_URL), so the recorded durations are not "
        "read: shards are split by count"]
    assert sorted({line.split("::")[0] for line in proc.stdout.splitlines() if " PASSED" in line}) == by_count[1]


def test_collect_only_lists_the_shard_and_deselected_tests_are_counted(runner, durations, tmp_path):
    suite = write_suite(tmp_path / "suite", SUITE)
    durations(files=FILE_SECONDS)
    proc = runner.run("--collect-only", "-q", "--platform-shard", "3/3", cwd=suite)
    listed = sorted({line.split("::")[0] for line in proc.stdout.splitlines() if "::" in line})
    assert listed == plan_shards(FILES, FILE_SECONDS, 3)[2]
    proc = runner.run(suite, "--platform-shard", "3/3", "--platform-no-live")
    kept = sum(len([t for t in ALL_TESTS if t.startswith(f + "::")]) for f in listed)
    assert "%d passed, %d deselected" % (kept, 18 - kept) in proc.stdout


def test_the_option_wins_over_the_ci_shard(runner, rclient, stream, validators, tmp_path):
    suite = write_suite(tmp_path / "suite", SUITE)
    env = runner.env(GITLAB_CI="true", CI_NODE_INDEX="1", CI_NODE_TOTAL="4")
    assert runner.run(suite, "--platform-no-live", "--platform-shard", "2/3", env=env).returncode == 0
    assert runner.run(suite, "--platform-no-live", env=env).returncode == 0
    assert [r["shard"] for r in runs_on(rclient, stream, validators)] == ["2/3", "1/4"]


def test_a_bad_option_is_a_usage_error_and_a_bad_variable_runs_the_whole_suite(runner, tmp_path):
    suite = write_suite(tmp_path / "suite", SUITE)
    proc = runner.run(suite, "--platform-shard", "4/3")
    assert proc.returncode == 4
    assert "--platform-shard: the shard must be 1 to 3 (1-based), got '4/3'" in proc.stderr
    proc = runner.run(suite, "--platform-no-live", env=runner.env(PYTEST_PLATFORM_SHARD="0/3"))
    assert proc.returncode == 0 and "18 passed" in proc.stdout
    assert "pytest-platform: PYTEST_PLATFORM_SHARD ignored (the shard must be 1 to 3 (1-based), got '0/3'): the whole suite runs" in proc.stderr
