"""Unit tests of the plugin's pure helpers (no Redis, no subprocess pytest)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import PLUGIN_DIR
from pytest_platform import ci_providers, contract, identity, redis_client, reports, settings, spool, text

TRUNC = "\n\u2026 [truncated]"


def u16(s):
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


def test_truncate_measures_utf16_units():
    assert text.truncate("abc", 3) == "abc"
    assert text.truncate(None, 3) is None
    s = "\U0001F600" * 10  # 20 UTF-16 units, 10 code points
    assert text.truncate(s, 20) == s
    cut = text.truncate(s, 19)
    assert cut.endswith(TRUNC) and u16(cut) <= 19
    # never splits a surrogate pair
    body = cut[: -len(TRUNC)]
    assert body == "\U0001F600" * (len(body))
    for limit in (14, 15, 16, 100, 8192):
        big = ("\U0001F600x" * 9000)
        out = text.truncate(big, limit)
        assert u16(out) <= limit and out.endswith(TRUNC)


def test_truncated_nodeids_stay_unique():
    a = text.truncate_unique("a" * 5000 + "1", 4096)
    b = text.truncate_unique("a" * 5000 + "2", 4096)
    assert a != b and u16(a) <= 4096 and u16(b) <= 4096 and a.endswith(TRUNC)
    assert text.truncate_unique("short", 4096) == "short"


def _git_logger(tmp_path):
    """A `git` first on PATH that logs its arguments, then runs the real git."""
    real = shutil.which("git")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "git.log"
    (bindir / "git").write_text('#!/bin/sh\necho "$*" >> %s\nexec %s "$@"\n' % (log, real))
    (bindir / "git").chmod(0o755)
    return bindir, log


def test_identity_falls_back_to_git_in_at_most_two_calls(tmp_path, monkeypatch):
    repo = tmp_path / "my-service"
    (repo / "sub").mkdir(parents=True)
    git = ["git", "-C", str(repo), "-c", "user.email=a@b", "-c", "user.name=a"]
    subprocess.run(git[:3] + ["init", "-q", "-b", "trunk"], check=True)
    subprocess.run(git + ["commit", "-q", "--allow-empty", "-m", "x"], check=True)
    sha = subprocess.run(git[:3] + ["rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    bindir, log = _git_logger(tmp_path)
    monkeypatch.setenv("PATH", "%s%s%s" % (bindir, os.pathsep, os.environ["PATH"]))

    # no remote: the top-level directory names the project, even from a subdirectory
    ident = identity.resolve_identity(repo / "sub", environ={}, hostname=lambda: "box-1")
    assert (ident["project"], ident["branch"], ident["commit"]) == ("my-service", "trunk", sha)
    assert (ident["worker_id"], ident["build_id"], ident["shard"]) == ("box-1", None, None)
    assert len(log.read_text().splitlines()) == 2

    # the origin remote names the project
    subprocess.run(git[:3] + ["remote", "add", "origin", "git@github.com:acme/my-service.git"], check=True)
    log.write_text("")
    ident = identity.resolve_identity(repo / "sub", environ={})
    assert ident["project"] == "acme/my-service"
    assert len(log.read_text().splitlines()) == 2

    # only what is still unknown is asked: the commit alone is one call ...
    log.write_text("")
    ident = identity.resolve_identity(repo, environ={"PROJECT": "p", "BRANCH": "b"})
    assert (ident["project"], ident["branch"], ident["commit"]) == ("p", "b", sha)
    assert len(log.read_text().splitlines()) == 1

    # ... and nothing at all when the CI says everything
    log.write_text("")
    ci = {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/shop", "GITHUB_REF_NAME": "main",
          "GITHUB_SHA": "abc", "GITHUB_RUN_ID": "7"}
    ident = identity.resolve_identity(repo, environ=ci)
    assert (ident["project"], ident["branch"], ident["commit"], ident["build_id"]) == ("acme/shop", "main", "abc", "7")
    assert log.read_text() == ""

    # a detached HEAD has no branch
    subprocess.run(git[:3] + ["checkout", "-q", "--detach"], check=True)
    ident = identity.resolve_identity(repo, environ={})
    assert (ident["branch"], ident["commit"]) == (None, sha)

    # outside a repository: no failure, the directory's name
    plain = tmp_path / "plain"
    plain.mkdir()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    ident = identity.resolve_identity(plain, environ={})
    assert (ident["project"], ident["branch"], ident["commit"]) == ("plain", None, None)


@pytest.mark.parametrize("url, path", [
    ("https://github.com/acme/shop", "acme/shop"),
    ("https://github.com/acme/shop.git", "acme/shop"),
    ("https://user:p%40ss@gitlab.example.com:8443/acme/backend/shop.git/", "acme/backend/shop"),
    ("http://bitbucket.org/acme/shop", "acme/shop"),
    ("ssh://git@gitlab.acme.dev:2222/acme/backend/shop.git", "acme/backend/shop"),
    ("git@github.com:acme/shop.git", "acme/shop"),
    ("github.com:acme/shop", "acme/shop"),
    ("https://github.com", None),
    ("https://github.com/", None),
    ("/srv/git/shop.git", None),
    ("file:///srv/git/shop.git", None),
    ("C:\\repos\\shop", None),
    ("", None),
    ("not a url", None),
])
def test_repo_path(url, path):
    assert ci_providers.repo_path(url) == path


def test_candidate_templates():
    env = {"A": "x", "B": "  ", "C": "refs/heads/main", "D": "acme/shop/main", "E": "main"}
    assert ci_providers.expand("${A}/${A}", env) == "x/x"
    assert ci_providers.expand("${A}/${B}", env) is None  # blank is unset
    assert ci_providers.expand("${B:-dflt}/${A}", env) == "dflt/x"
    assert ci_providers.expand("${MISSING:-https://h}/${A}", env) == "https://h/x"
    rc = ci_providers.resolve_candidate
    assert rc({"template": "${C}", "stripPrefix": ["origin/", "refs/heads/"]}, env) == "main"
    assert rc({"template": "${D}", "stripSuffix": "/${E}"}, env) == "acme/shop"
    assert rc({"template": "${A}", "stripSuffix": "/${E}"}, env) == "x"  # does not end with it
    assert rc({"template": "${D}", "stripSuffix": "/${MISSING}"}, env) is None
    assert rc({"template": "${A}", "repoPath": True}, env) is None  # not a git URL


@pytest.mark.parametrize("index, total, base, want", [
    ("0", "3", 0, "1/3"), ("2", "3", 0, "3/3"), ("1", "3", 1, "1/3"), ("0", "1", 0, None),
    ("3", "3", 0, None), ("0", "3", 1, None), ("x", "3", 0, None), ("1", "", 0, None), ("-1", "3", 0, None),
])
def test_shard(index, total, base, want):
    provider = {"shards": [{"index": "I", "total": "T", "indexBase": base}]}
    assert ci_providers.shard_of(provider, {"I": index, "T": total}) == want


def test_name_fields_are_capped(tmp_path):
    ident = identity.resolve_identity(tmp_path, environ={"PROJECT": "p" * 300, "BRANCH": "b" * 300}, git=None)
    assert u16(ident["project"]) <= 255 and ident["project"].endswith(TRUNC)
    assert u16(ident["branch"]) <= 255


def test_environment_map_is_capped():
    env = identity.clean_environment({"k%d" % i: "v" * 2000 for i in range(100)})
    assert len(env) == 64
    assert all(u16(v) <= 1024 for v in env.values())


def test_spool_file_format_and_flush_order(tmp_path):
    d = tmp_path / "spool"
    p = spool.write_spool(str(d), "run-1", json.dumps({"run_id": "run-1"}))
    assert os.path.basename(p).endswith("-run-1.json")
    assert json.loads(open(p).read()) == {"type": "run", "data": {"run_id": "run-1"}}
    assert [n for n in os.listdir(d)] == [os.path.basename(p)]  # no temp file left behind
    (d / ".tmp-x.partial").write_text("{")
    (d / "notes.txt").write_text("x")
    assert spool.spool_files(str(d)) == [p]


def test_default_spool_dir():
    assert spool.default_spool_dir({"PYTEST_PLATFORM_SPOOL_DIR": "/x/y"}) == "/x/y"
    assert spool.default_spool_dir({"XDG_CACHE_HOME": "/c"}) == "/c/pytest-platform/spool"
    assert spool.default_spool_dir({}).endswith(os.path.join(".cache", "pytest-platform", "spool"))


def test_status_from_exit_code():
    assert [reports.run_status(c) for c in (0, 1, 2, 3, 4, 5)] == [
        "passed", "failed", "interrupted", "error", "error", "passed"]


def test_redact_url():
    assert redis_client.redact_url("redis://:pw@h:1/0") == "redis://:***@h:1/0"
    assert redis_client.redact_url("redis://u:pw@h:1/0") == "redis://u:***@h:1/0"
    assert redis_client.redact_url("redis://h:1/0") == "redis://h:1/0"


def test_contract_is_the_shared_file():
    shared = json.loads((PLUGIN_DIR.parent / "schema" / "src" / "contract.json").read_text())
    assert contract.CONTRACT == shared
    assert (contract.MAX_NODEID, contract.MAX_MESSAGE, contract.MAX_TAGS, contract.MAX_TAG,
            contract.MAX_TESTS_PER_RUN) == tuple(shared["limits"][k] for k in (
                "nodeidLength", "messageLength", "tagsPerTest", "tagLength", "testsPerRun"))
    assert contract.CI_PROVIDERS == shared["ciProviders"]


def test_boolean_words():
    for word in ("1", "true", " TRUE ", "Yes", "on"):
        assert contract.parse_bool(word, False) is True, word
    for word in ("0", "false", " Off", "NO"):
        assert contract.parse_bool(word, True) is False, word
    for word in (None, "", "  ", "maybe", "2"):
        assert contract.parse_bool(word, True) is True and contract.parse_bool(word, False) is False


def test_redis_url_precedence():
    both = {"PYTEST_PLATFORM_REDIS_URL": "redis://own:1", "REDIS_URL": "redis://app:2"}
    assert settings.redis_url("redis://opt:3", both) == "redis://opt:3"
    assert settings.redis_url(None, both) == "redis://own:1"
    assert settings.redis_url(None, {"REDIS_URL": "redis://app:2"}) == "redis://app:2"
    assert settings.redis_url(None, {"PYTEST_PLATFORM_REDIS_URL": " ", "REDIS_URL": "redis://app:2"}) == "redis://app:2"
    assert settings.redis_url(None, {}) is None


def test_enabled_and_summary_switches():
    assert settings.plugin_enabled({}) is True
    assert settings.plugin_enabled({"PYTEST_PLATFORM": "off"}) is False
    assert settings.plugin_enabled({"PYTEST_PLATFORM": " FALSE "}) is False
    assert settings.plugin_enabled({"PYTEST_PLATFORM": "whatever"}) is True
    assert settings.step_summary_path({"GITHUB_STEP_SUMMARY": "/s.md"}) == "/s.md"
    assert settings.step_summary_path({"GITHUB_STEP_SUMMARY": "/s.md", "PYTEST_PLATFORM_SUMMARY": "no"}) is None
    assert settings.step_summary_path({}) is None


def test_redis_py_missing_is_one_clear_line(tmp_path):
    """Without redis-py, a URL the built-in client cannot read fails with one actionable line."""
    code = (
        "import sys; sys.modules['redis'] = None\n"
        "from pytest_platform.redis_client import make_client, MiniRedis\n"
        "assert isinstance(make_client('redis://h:1/0'), MiniRedis)\n"
        "try:\n"
        "    make_client('redis://:secret@h:1/0?ssl_cert_reqs=none')\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    line = out.stdout.strip()
    assert line.startswith("RedisPyMissing redis-py is not installed") and "\n" not in line
    assert "pytest-platform[redis]" in line and "secret" not in line
