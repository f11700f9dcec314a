"""Who ran: project, branch, commit, worker, build and shard, by the rules of ``contract.json``.

Each field takes, in order: an explicit option, its variable (``PROJECT``, ``BRANCH``, ``COMMIT``,
``WORKER_ID``, ``PYTEST_PLATFORM_BUILD_ID``), the detected CI provider's candidates, then git
(project: the ``origin`` remote's repository path; branch: the current branch; commit: ``HEAD``);
the project falls back to the git top-level directory's name, else the working directory's; the
worker to the host name.
"""

from __future__ import annotations

import os
import platform as _platform
import re
import socket
import subprocess
import sys

from .ci_providers import detect_provider, first_candidate, repo_path, shard_of
from .contract import MAX_ENV_KEY, MAX_ENV_KEYS, MAX_ENV_VALUE, VARIABLES
from .text import cap_name, truncate
from .variables import env_value

GIT_TIMEOUT = 2.0
_SHARD = re.compile(r"^\s*([0-9]+)\s*/\s*([0-9]+)\s*$")
FIELDS = ("project", "branch", "commit", "worker_id", "build_id")
GIT_FIELDS = ("project", "branch", "commit")
_VARIABLE = {
    "project": VARIABLES["project"],
    "branch": VARIABLES["branch"],
    "commit": VARIABLES["commit"],
    "worker_id": VARIABLES["workerId"],
    "build_id": VARIABLES["buildId"],
}
_PROVIDER_KEY = {"project": "project", "branch": "branch", "commit": "commit",
                 "worker_id": "workerId", "build_id": "buildId"}


def identity_from_environment(environ, overrides=None):
    """What the options, the variables and the CI say, before git or the machine is asked.

    Returns the FIELDS (None when unknown) plus ``ci``, ``ci_url`` and ``shard`` (``overrides["shard"]``,
    a ``"k/n"`` already checked, else ``PYTEST_PLATFORM_SHARD``, else the CI's).
    """
    overrides = overrides or {}
    provider = detect_provider(environ)
    found = {}
    for field in FIELDS:
        value = overrides.get(field)
        value = value.strip() if value and value.strip() else None
        if value is None:
            value = env_value(_VARIABLE[field], environ)
        if value is None and provider is not None:
            value = first_candidate(provider[_PROVIDER_KEY[field]], environ)
        found[field] = value
    found["ci"] = provider["name"] if provider is not None else None
    found["ci_url"] = first_candidate(provider["ciUrl"], environ) if provider is not None else None
    # the runner's own (--platform-shard), else PYTEST_PLATFORM_SHARD, else the CI's
    found["shard"] = (overrides.get("shard") or shard_text(env_value(VARIABLES["shard"], environ))
                      or (shard_of(provider, environ) if provider is not None else None))
    return found


def shard_text(value):
    """``"k/n"`` of a ``K/N`` value (1 <= k <= n, 1 < n <= 999999), as the Node reporters read it; else None."""
    m = _SHARD.match(value or "")
    if m is None:
        return None
    k, n = int(m.group(1)), int(m.group(2))
    return "%d/%d" % (k, n) if 1 < n <= 999999 and 1 <= k <= n else None


def _git(cwd, *args):
    """git's output lines, or None when it fails, is missing or takes longer than GIT_TIMEOUT."""
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
    return out.stdout.decode("utf-8", "replace").splitlines()


def read_git(cwd, need):
    """Ask git, in at most two calls, only for what ``need`` (a subset of GIT_FIELDS) requires.

    Returns ``{"remote", "toplevel", "branch", "commit"}`` (None where not asked or unknown;
    branch None on a detached HEAD), or None when ``cwd`` is not in a repository.
    """
    args = []
    if "project" in need:
        args.append("--show-toplevel")
    if "commit" in need:
        args.append("HEAD")
    if "branch" in need:
        args += ["--symbolic-full-name", "HEAD"]
    out = _git(cwd, "rev-parse", *args)
    if out is None:
        return None
    facts = dict.fromkeys(("remote", "toplevel", "branch", "commit"))
    lines = iter(out)
    if "project" in need:
        facts["toplevel"] = next(lines, None) or None
    if "commit" in need:
        facts["commit"] = next(lines, None) or None
    if "branch" in need:
        ref = next(lines, None) or ""
        facts["branch"] = ref[len("refs/heads/"):] if ref.startswith("refs/heads/") else None
    if "project" in need:
        remote = _git(cwd, "config", "--get", "remote.origin.url")
        facts["remote"] = remote[0] if remote else None
    return facts


def _hostname():
    try:
        return socket.gethostname() or None
    except Exception:
        return None


def _basename(path):
    if not path:
        return None
    return os.path.basename(os.path.normpath(str(path))) or None


def resolve_identity(rootdir=None, overrides=None, environ=None, git=read_git, hostname=_hostname):
    """Return dict(project, branch, commit, worker_id, build_id, shard, environment). Never raises.

    ``rootdir`` is the working directory; ``git(cwd, need)`` answers like read_git (None: do not
    ask git); ``hostname()`` names the machine. Both are parameters so tests can stand in for them.
    """
    environ = environ if environ is not None else os.environ
    found = identity_from_environment(environ, overrides)
    need = [f for f in GIT_FIELDS if found[f] is None]
    facts = None
    if need and git is not None and rootdir:
        try:
            facts = git(str(rootdir), need)
        except Exception:
            facts = None
    facts = facts or {}
    if found["project"] is None:
        found["project"] = repo_path(facts.get("remote")) or _basename(facts.get("toplevel")) or _basename(rootdir)
    if found["branch"] is None:
        found["branch"] = facts.get("branch")
    if found["commit"] is None:
        found["commit"] = facts.get("commit")
    if found["worker_id"] is None:
        found["worker_id"] = hostname() if hostname is not None else None

    env = {"python": _platform.python_version()}
    try:
        env["platform"] = "%s-%s" % (sys.platform, _platform.machine())
        env["python_implementation"] = _platform.python_implementation()
    except Exception:
        pass
    if found["ci"]:
        env["ci"] = found["ci"]
    if found["ci_url"]:
        env["ci_url"] = found["ci_url"]
    return {
        "project": cap_name(found["project"], "unknown"),
        "branch": cap_name(found["branch"]),
        "commit": cap_name(found["commit"]),
        "worker_id": cap_name(found["worker_id"], "unknown"),
        "build_id": cap_name(found["build_id"]),
        "shard": found["shard"],
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
