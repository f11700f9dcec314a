"""Every case of the shared identity fixture, which the Node reporters' tests read too."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_platform import ci_providers, identity

CASES = json.loads(
    (Path(__file__).resolve().parent / "../../schema/fixtures/ci-identity.json").read_text())["cases"]


def resolve(case, asked):
    def git(cwd, need):
        asked.append((cwd, sorted(need)))
        return case["git"]

    return identity.resolve_identity(case["cwd"], environ=case["env"], git=git, hostname=lambda: case["hostname"])


def test_the_fixture_has_the_cases_the_issue_asks_for():
    assert len(CASES) >= 20
    assert len({c["name"] for c in CASES}) == len(CASES)
    providers = {c["expected"]["ci"] for c in CASES}
    assert providers == {p["name"] for p in ci_providers.CI_PROVIDERS} | {None}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_identity_case(case):
    asked = []
    got = resolve(case, asked)
    env = got["environment"]
    assert {
        "project": got["project"],
        "branch": got["branch"],
        "commit": got["commit"],
        "worker_id": got["worker_id"],
        "ci": env.get("ci"),
        "ci_url": env.get("ci_url"),
        "build_id": got["build_id"],
        "shard": got["shard"],
    } == case["expected"]
    assert ("ci" in env, "ci_url" in env) == (case["expected"]["ci"] is not None,
                                              case["expected"]["ci_url"] is not None)

    # git is asked once, in the working directory, and only for what is still unknown
    before_git = identity.identity_from_environment(case["env"])
    unknown = sorted(f for f in identity.GIT_FIELDS if before_git[f] is None)
    assert asked == ([(case["cwd"], unknown)] if unknown else [])
