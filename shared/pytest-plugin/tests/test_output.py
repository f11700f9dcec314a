"""The end line and the step summary: the shared fixture case by case, then real child sessions."""
from __future__ import annotations

import json
import os
import re
import uuid
from pathlib import Path

import pytest

from conftest import REDIS_URL, free_port, normalize_output, read_entries, write_suite
from pytest_platform import output

OUTPUT = json.loads((Path(__file__).resolve().parent / "../../schema/fixtures/reporter-output.json").read_text())


@pytest.mark.parametrize("case", OUTPUT["endLine"], ids=[c["name"] for c in OUTPUT["endLine"]])
def test_end_line_case(case):
    assert output.end_line(case["run"], case["publicUrl"], case["spoolDir"], case["reason"]) == case["expected"]


@pytest.mark.parametrize("case", OUTPUT["markdown"], ids=[c["name"] for c in OUTPUT["markdown"]])
def test_markdown_case(case):
    assert output.step_summary(case["run"], case["publicUrl"]) == case["expected"]


def _run_with_failures(tests):
    failed = sum(1 for t in tests if t["outcome"] in ("failed", "error"))
    return {
        "run_id": "r1", "project": "p", "branch": None, "commit": None, "framework": "pytest",
        "summary": {"total": len(tests), "passed": len(tests) - failed, "failed": failed, "skipped": 0,
                    "errors": 0, "xfailed": 0, "xpassed": 0, "flaky": 0},
        "tests": tests,
    }


def test_markdown_lists_twenty_failures_then_says_how_many_more():
    tests = [{"nodeid": "t.py::test_%02d" % i, "outcome": "failed" if i % 2 else "error", "message": "m%d" % i}
             for i in range(23)]
    md = output.step_summary(_run_with_failures(tests), None)
    rows = [line for line in md.splitlines() if line.startswith("| t.py")]
    assert rows == ["| t.py::test\\_%02d | m%d |" % (i, i) for i in range(20)]
    assert md.endswith("|\n\n\u2026and 3 more failed tests.\n")


def test_markdown_cuts_long_names_and_messages_to_one_line():
    nodeid = "t.py::test_x[" + "a\tb\r\n" * 100 + "]"
    message = "\n\n   " + "\U0001F600" * 150 + "  \nsecond line"
    md = output.step_summary(_run_with_failures([{"nodeid": nodeid, "outcome": "failed", "message": message}]), None)
    row = md.splitlines()[-1]
    cell_nodeid, cell_message = row[2:-2].split(" | ")
    want_nodeid = (nodeid[:299] + "\u2026").replace("\t", " ").replace("\r", " ").replace("\n", " ")
    assert cell_nodeid == want_nodeid.replace("_", "\\_").replace("[", "\\[")
    assert cell_message == "\U0001F600" * 99 + "\u2026"  # 199 UTF-16 units + the ellipsis


def test_step_summary_appends_and_reports_errors(tmp_path):
    path = tmp_path / "summary.md"
    path.write_text("earlier step\n")
    assert output.append_step_summary(str(path), "### more\n") is None
    assert path.read_text() == "earlier step\n\n### more\n"
    warning = output.append_step_summary(str(tmp_path), "x")
    assert warning.startswith("pytest-platform: could not write the step summary to %s" % tmp_path)
    assert "\n" not in warning


# --------------------------------------------------------------------------------------------
# Child sessions
# --------------------------------------------------------------------------------------------
SMALL_SUITE = {
    "test_small.py": (
        "import pytest\n"
        "def test_ok():\n    pass\n"
        "def test_bad():\n    assert 1 == 2, 'one is not two'\n"
        # fixture content: a skip, so the end line reports `1 skipped`
        "@pytest.mark.skip(reason='later')\n"
        "def test_later():\n    pass\n"
    ),
}


def test_end_line_links_to_the_run_and_leaves_stdout_alone(runner, rclient, stream, validators, tmp_path):
    suite = write_suite(tmp_path / "small", SMALL_SUITE)
    url = "https://tests.example.dev/"
    proc = runner.run(suite, env=runner.env(PYTEST_PLATFORM_URL=url))
    without = runner.run(suite, "-p", "no:pytest_platform", env=runner.env())
    assert proc.returncode == without.returncode == 1
    assert normalize_output(proc.stdout) == normalize_output(without.stdout)
    entries = read_entries(rclient, stream, validators)
    run_id = entries[0][1]["run_id"]
    pattern = r"^pytest-platform: run \S+ \u00b7 \d+ failed, \d+ passed, \d+ skipped \u2192 %s/runs/%s$" % (
        re.escape(url.rstrip("/")), re.escape(run_id))
    assert re.match(pattern, proc.stderr.rstrip("\n")), proc.stderr
    assert proc.stderr == "pytest-platform: run %s \u00b7 1 failed, 1 passed, 1 skipped \u2192 %s/runs/%s\n" % (
        run_id, url.rstrip("/"), run_id)


def test_quiet_silences_the_end_line(runner, rclient, stream, validators, tmp_path):
    suite = write_suite(tmp_path / "small", SMALL_SUITE)
    proc = runner.run(suite, env=runner.env(PYTEST_PLATFORM_QUIET="1", PYTEST_PLATFORM_URL="https://t.example"))
    assert proc.returncode == 1
    assert proc.stderr == ""
    assert [t for t, _ in read_entries(rclient, stream, validators)][-1] == "run.finished"


ODD_ID = "a|b<c>`d`"
ODD_SUITE = {
    "test_odd.py": (
        "import pytest\n"
        "def test_fine():\n    pass\n"
        "@pytest.mark.parametrize('v', [1], ids=[%r])\n"
        "def test_odd(v):\n    raise ValueError('bad *value* | <%%s>' %% v)\n"
        "def test_plain():\n    assert False\n"
    ) % ODD_ID,
}


def test_step_summary_lists_the_failing_tests_escaped(runner, rclient, stream, validators, tmp_path):
    suite = write_suite(tmp_path / "odd", ODD_SUITE)
    summary = tmp_path / "step-summary.md"
    summary.write_text("## an earlier step\n")
    url = "https://tests.example.dev"
    proc = runner.run(suite, "--platform-no-live", env=runner.env(
        GITHUB_STEP_SUMMARY=summary, PYTEST_PLATFORM_URL=url))
    assert proc.returncode == 1
    ((_, run),) = read_entries(rclient, stream, validators)
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## an earlier step\n\n### \u274c plugin-tests: 2 failed, 1 passed, 0 skipped\n\n")
    assert "Run [%s](%s/runs/%s)" % (run["run_id"], url, run["run_id"]) in text
    assert ("| test\\_odd.py::test\\_odd\\[a\\|b&lt;c&gt;\\`d\\`\\] "
            "| ValueError: bad \\*value\\* \\| &lt;1&gt; |\n") in text
    assert "| test\\_odd.py::test\\_plain | AssertionError: assert False |\n" in text
    assert text == "## an earlier step\n\n" + output.step_summary(run, url)
    table = [line for line in text.splitlines() if line.startswith("| test")]
    assert len(table) == 2
    assert all(len(re.findall(r"(?<!\\)\|", line)) == 3 for line in table)  # two cells each


def test_step_summary_can_be_turned_off_and_never_breaks_the_run(runner, rclient, stream, validators, tmp_path):
    suite = write_suite(tmp_path / "odd", ODD_SUITE)
    summary = tmp_path / "step-summary.md"
    summary.write_text("kept\n")
    proc = runner.run(suite, env=runner.env(GITHUB_STEP_SUMMARY=summary, PYTEST_PLATFORM_SUMMARY="off"))
    assert proc.returncode == 1
    assert summary.read_text() == "kept\n"
    # a summary path that cannot be written: one warning line, the run is still sent
    proc = runner.run(suite, env=runner.env(GITHUB_STEP_SUMMARY=tmp_path, PYTEST_PLATFORM_QUIET="1"))
    assert proc.returncode == 1
    assert proc.stderr.startswith("pytest-platform: could not write the step summary to %s" % tmp_path)
    assert len(proc.stderr.splitlines()) == 1
    finished = [d for t, d in read_entries(rclient, stream, validators) if t == "run.finished"]
    assert len(finished) == 2


def test_own_redis_url_wins_over_redis_url(runner, rclient, stream, validators, spool_dir, tmp_path):
    suite = write_suite(tmp_path / "small", SMALL_SUITE)
    dead = "redis://127.0.0.1:%d/0" % free_port()
    proc = runner.run(suite, env=runner.env(redis_url=dead, PYTEST_PLATFORM_REDIS_URL=REDIS_URL))
    assert proc.returncode == 1
    entries = read_entries(rclient, stream, validators)
    assert [t for t, _ in entries][-1] == "run.finished"
    assert proc.stderr.splitlines() == ["pytest-platform: run %s \u00b7 1 failed, 1 passed, 1 skipped"
                                        % entries[0][1]["run_id"]]
    assert not spool_dir.exists() or os.listdir(spool_dir) == []


@pytest.mark.parametrize("word", ["off", " False ", "0", "NO"])
def test_pytest_platform_off_turns_everything_off(runner, rclient, stream, spool_dir, tmp_path, word):
    suite = write_suite(tmp_path / "small", SMALL_SUITE)
    spool_dir.mkdir()
    waiting = spool_dir / ("1-%s.json" % uuid.uuid4())
    waiting.write_text(json.dumps({"type": "run", "data": {"run_id": "waiting"}}))
    summary = tmp_path / "step-summary.md"
    env = runner.env(PYTEST_PLATFORM=word, PYTEST_PLATFORM_REDIS_URL=REDIS_URL,
                     GITHUB_STEP_SUMMARY=summary, PYTEST_PLATFORM_URL="https://t.example")
    proc = runner.run(suite, env=env)
    without = runner.run(suite, "-p", "no:pytest_platform", env=runner.env())
    assert proc.returncode == without.returncode == 1
    assert normalize_output(proc.stdout) == normalize_output(without.stdout)
    assert proc.stderr == ""
    assert rclient.exists(stream) == 0
    assert os.listdir(spool_dir) == [waiting.name]  # the spool was not even looked at
    assert not summary.exists()


TAGGED_SUITE = {
    "test_tagged.py": (
        "import pytest\n"
        "pytestmark = pytest.mark.module_level\n"
        "@pytest.mark.slow\n"
        "@pytest.mark.db\n"
        "@pytest.mark.slow\n"
        "@pytest.mark.parametrize('x', [1])\n"
        "@pytest.mark.usefixtures('tmp_path')\n"
        "@pytest.mark.filterwarnings('ignore')\n"
        "@pytest.mark.skipif(False, reason='never')\n"
        "@pytest.mark.xfail(False, reason='never')\n"
        "@pytest.mark.tryfirst\n"
        "def test_tagged(x):\n    pass\n"
        "@pytest.mark.api\n"
        "class TestGroup:\n"
        "    @pytest.mark.smoke\n"
        "    def test_in_class(self):\n        pass\n"
        "@getattr(pytest.mark, 'l' * 150)\n"
        "def test_long_marker():\n    pass\n"
        "def test_many():\n    pass\n"
        "for i in range(25):\n"
        "    test_many = getattr(pytest.mark, 'm%02d' % i)(test_many)\n"
    ),
    "test_untagged.py": "def test_plain():\n    pass\n",
}


@pytest.mark.parametrize("xdist", [False, True], ids=["in-process", "xdist"])
def test_markers_become_tags(runner, rclient, stream, validators, tmp_path, xdist):
    suite = write_suite(tmp_path / "tagged", TAGGED_SUITE)
    args = ["-p", "no:warnings", "--platform-no-live"] + (["-n", "2"] if xdist else [])
    proc = runner.run(suite, *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ((_, run),) = read_entries(rclient, stream, validators)
    tags = {t["nodeid"]: t.get("tags") for t in run["tests"]}
    assert tags == {
        "test_tagged.py::test_tagged[1]": ["slow", "db", "module_level"],
        "test_tagged.py::TestGroup::test_in_class": ["smoke", "api", "module_level"],
        "test_tagged.py::test_long_marker": ["l" * 100, "module_level"],
        "test_tagged.py::test_many": ["m%02d" % i for i in range(20)],
        "test_untagged.py::test_plain": None,
    }
    assert "tags" not in next(t for t in run["tests"] if t["nodeid"] == "test_untagged.py::test_plain")


CI_ENVIRONMENTS = {
    "github-actions": (
        {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/shop", "GITHUB_REF_NAME": "main",
         "GITHUB_SHA": "9fceb02d0ae598e95dc970b74767f19372d61af8", "GITHUB_RUN_ID": "7314159265",
         "GITHUB_RUN_ATTEMPT": "2", "GITHUB_SERVER_URL": "https://github.com", "RUNNER_NAME": "GitHub Actions 7"},
        {"project": "acme/shop", "branch": "main", "commit": "9fceb02d0ae598e95dc970b74767f19372d61af8",
         "worker_id": "GitHub Actions 7", "build_id": "7314159265.2", "shard": None,
         "ci_url": "https://github.com/acme/shop/actions/runs/7314159265/attempts/2"},
    ),
    "gitlab-ci": (
        {"GITLAB_CI": "true", "CI_PROJECT_PATH": "acme/backend/shop", "CI_COMMIT_BRANCH": "dev",
         "CI_COMMIT_SHA": "4444444444444444444444444444444444444444", "CI_PIPELINE_ID": "1029384",
         "CI_JOB_URL": "https://gitlab.com/acme/backend/shop/-/jobs/1", "CI_RUNNER_DESCRIPTION": "runner-2",
         "CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "4"},
        {"project": "acme/backend/shop", "branch": "dev", "commit": "4444444444444444444444444444444444444444",
         "worker_id": "runner-2", "build_id": "1029384", "shard": "2/4",
         "ci_url": "https://gitlab.com/acme/backend/shop/-/jobs/1"},
    ),
}


@pytest.mark.parametrize("ci", sorted(CI_ENVIRONMENTS))
def test_ci_variables_name_the_project_and_the_build(runner, rclient, stream, validators, tmp_path, ci):
    variables, want = CI_ENVIRONMENTS[ci]
    suite = write_suite(tmp_path / "small", SMALL_SUITE)
    proc = runner.run(suite, env=runner.env(PROJECT=None, **variables))
    assert proc.returncode == 1, proc.stderr
    entries = read_entries(rclient, stream, validators)
    assert [t for t, _ in entries][-1] == "run.finished"
    for _, header in entries:  # every live entry carries the same identity
        got = {k: header[k] for k in ("project", "branch", "commit", "worker_id", "build_id", "shard")}
        got["ci_url"] = header["environment"]["ci_url"]
        assert got == want
        assert header["environment"]["ci"] == ci
