"""Unit tests of the plugin's pure helpers (no Redis, no subprocess pytest)."""
from __future__ import annotations

import json
import os
import subprocess

import pytest

import pytest_platform as pp

TRUNC = "\n\u2026 [truncated]"


def u16(s):
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


def test_truncate_measures_utf16_units():
    assert pp.truncate("abc", 3) == "abc"
    assert pp.truncate(None, 3) is None
    s = "\U0001F600" * 10  # 20 UTF-16 units, 10 code points
    assert pp.truncate(s, 20) == s
    cut = pp.truncate(s, 19)
    assert cut.endswith(TRUNC) and u16(cut) <= 19
    # never splits a surrogate pair
    body = cut[: -len(TRUNC)]
    assert body == "\U0001F600" * (len(body))
    for limit in (14, 15, 16, 100, 8192):
        big = ("\U0001F600x" * 9000)
        out = pp.truncate(big, limit)
        assert u16(out) <= limit and out.endswith(TRUNC)


def test_truncated_nodeids_stay_unique():
    a = pp._truncate_unique("a" * 5000 + "1", 4096)
    b = pp._truncate_unique("a" * 5000 + "2", 4096)
    assert a != b and u16(a) <= 4096 and u16(b) <= 4096 and a.endswith(TRUNC)
    assert pp._truncate_unique("short", 4096) == "short"


@pytest.mark.parametrize(
    "env, want",
    [
        ({"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/shop", "GITHUB_HEAD_REF": "feat",
          "GITHUB_REF_NAME": "12/merge", "GITHUB_SHA": "abc", "GITHUB_RUN_ID": "7",
          "GITHUB_SERVER_URL": "https://github.example"},
         ("acme/shop", "feat", "abc", "https://github.example/acme/shop/actions/runs/7", "github")),
        ({"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/shop", "GITHUB_HEAD_REF": "",
          "GITHUB_REF_NAME": "main", "GITHUB_SHA": "abc"},
         ("acme/shop", "main", "abc", None, "github")),
        ({"GITLAB_CI": "true", "CI_PROJECT_NAME": "shop", "CI_COMMIT_REF_NAME": "dev",
          "CI_COMMIT_SHA": "def", "CI_JOB_URL": "https://gl/job/1"},
         ("shop", "dev", "def", "https://gl/job/1", "gitlab")),
        ({"JENKINS_URL": "https://j", "JOB_NAME": "shop-ci", "GIT_BRANCH": "origin/rel",
          "GIT_COMMIT": "123", "BUILD_URL": "https://j/1"},
         ("shop-ci", "rel", "123", "https://j/1", "jenkins")),
        ({"JENKINS_URL": "https://j", "JOB_NAME": "shop-ci", "BRANCH_NAME": "PR-4",
          "GIT_BRANCH": "origin/x", "GIT_COMMIT": "123"},
         ("shop-ci", "PR-4", "123", None, "jenkins")),
        ({"BUILDKITE": "true", "BUILDKITE_PIPELINE_SLUG": "shop", "BUILDKITE_BRANCH": "b",
          "BUILDKITE_COMMIT": "c", "BUILDKITE_BUILD_URL": "https://bk/1"},
         ("shop", "b", "c", "https://bk/1", "buildkite")),
        ({"CIRCLECI": "true", "CIRCLE_PROJECT_REPONAME": "shop", "CIRCLE_BRANCH": "b",
          "CIRCLE_SHA1": "c", "CIRCLE_BUILD_URL": "https://circle/1"},
         ("shop", "b", "c", "https://circle/1", "circleci")),
    ],
)
def test_identity_from_ci_variables(env, want, tmp_path):
    ident = pp.resolve_identity(tmp_path, environ=env, use_git=False)
    project, branch, commit, url, provider = want
    assert (ident["project"], ident["branch"], ident["commit"]) == (project, branch, commit)
    assert ident["environment"].get("ci_url") == url
    assert ident["environment"]["ci"] == provider
    assert ident["worker_id"]


def test_identity_explicit_values_win(tmp_path):
    env = {"PROJECT": "p", "BRANCH": "b", "COMMIT": "c", "WORKER_ID": "w",
           "GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "x/y", "GITHUB_SHA": "z"}
    ident = pp.resolve_identity(tmp_path, environ=env)
    assert (ident["project"], ident["branch"], ident["commit"], ident["worker_id"]) == ("p", "b", "c", "w")
    ident = pp.resolve_identity(tmp_path, overrides={"project": "opt", "branch": "ob"}, environ=env)
    assert (ident["project"], ident["branch"]) == ("opt", "ob")


def test_identity_falls_back_to_git_hostname_and_rootdir(tmp_path):
    repo = tmp_path / "my-service"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.email=a@b", "-c", "user.name=a"]
    subprocess.run(git[:3] + ["init", "-q", "-b", "trunk"], check=True)
    subprocess.run(git + ["commit", "-q", "--allow-empty", "-m", "x"], check=True)
    sha = subprocess.run(git[:3] + ["rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    ident = pp.resolve_identity(repo, environ={})
    assert ident["project"] == "my-service"
    assert (ident["branch"], ident["commit"]) == ("trunk", sha)
    assert ident["worker_id"] not in (None, "")
    # outside a repository: no failure, nulls
    plain = tmp_path / "plain"
    plain.mkdir()
    ident = pp.resolve_identity(plain, environ={"GIT_CEILING_DIRECTORIES": str(tmp_path)})
    assert ident["project"] == "plain"


def test_name_fields_are_capped(tmp_path):
    ident = pp.resolve_identity(tmp_path, environ={"PROJECT": "p" * 300, "BRANCH": "b" * 300}, use_git=False)
    assert u16(ident["project"]) <= 255 and ident["project"].endswith(TRUNC)
    assert u16(ident["branch"]) <= 255


def test_environment_map_is_capped():
    env = pp.clean_environment({"k%d" % i: "v" * 2000 for i in range(100)})
    assert len(env) == 64
    assert all(u16(v) <= 1024 for v in env.values())


def test_spool_file_format_and_flush_order(tmp_path):
    d = tmp_path / "spool"
    p = pp.write_spool(str(d), "run-1", json.dumps({"run_id": "run-1"}))
    assert os.path.basename(p).endswith("-run-1.json")
    assert json.loads(open(p).read()) == {"type": "run", "data": {"run_id": "run-1"}}
    assert [n for n in os.listdir(d)] == [os.path.basename(p)]  # no temp file left behind
    (d / ".tmp-x.partial").write_text("{")
    (d / "notes.txt").write_text("x")
    assert pp.spool_files(str(d)) == [p]


def test_default_spool_dir():
    assert pp.default_spool_dir({"PYTEST_PLATFORM_SPOOL_DIR": "/x/y"}) == "/x/y"
    assert pp.default_spool_dir({"XDG_CACHE_HOME": "/c"}) == "/c/pytest-platform/spool"
    assert pp.default_spool_dir({}).endswith(os.path.join(".cache", "pytest-platform", "spool"))


def test_status_from_exit_code():
    assert [pp._status(c) for c in (0, 1, 2, 3, 4, 5)] == [
        "passed", "failed", "interrupted", "error", "error", "passed"]


def test_redact_url():
    assert pp.redact_url("redis://:pw@h:1/0") == "redis://:***@h:1/0"
    assert pp.redact_url("redis://u:pw@h:1/0") == "redis://u:***@h:1/0"
    assert pp.redact_url("redis://h:1/0") == "redis://h:1/0"
