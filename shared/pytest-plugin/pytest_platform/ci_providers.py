"""The interpreter of ``contract.json`` ``ciProviders``: which CI this is and what it says.

A provider applies when every ``detect`` variable is set (``"*"``: any non-blank value; otherwise
equal ignoring case). A field takes the first candidate whose ``${VAR}`` references are all set
and non-blank (``${VAR:-default}`` never blocks); a candidate object may strip a prefix or a
suffix, or read its value as a git URL's repository path (``repoPath``).
"""

from __future__ import annotations

import re

from .contract import CI_PROVIDERS
from .variables import env_value

_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_URL = re.compile(r"^(?:https?|ssh|git|git\+ssh|ssh\+git)://(?:[^/@]*@)?[^/?#]+([^?#]*)", re.IGNORECASE)
_SCP = re.compile(r"^(?![A-Za-z]:[\\/])(?:[^@/:]+@)?[^/:]+:(?!//)(.+)$")
_DIGITS = re.compile(r"^\d{1,6}$")


def expand(template, environ):
    """``template`` with its ``${VAR}`` references filled in; None when one is unset or blank.

    ``${VAR:-default}`` uses ``default`` when VAR is unset or blank and never blocks.
    """
    missing = []

    def value(m):
        v = env_value(m.group(1), environ)
        if v is not None:
            return v
        if m.group(2) is None:
            missing.append(m.group(1))
            return ""
        return m.group(2)

    out = _REFERENCE.sub(value, template)
    return None if missing else out


def repo_path(url):
    """The repository path of a git URL (``acme/shop``), or None when it is not one.

    Reads ``https://[user[:pass]@]host[:port]/path``, ``ssh://…``, ``git://…`` and scp-like
    ``[user@]host:path``; drops leading and trailing slashes and a trailing ``.git``.
    """
    if not url:
        return None
    url = url.strip()
    m = _URL.match(url)
    if m is None:
        if "://" in url:
            return None
        m = _SCP.match(url)
        if m is None:
            return None
    path = m.group(1).strip("/")
    if path.endswith(".git"):
        path = path[: -len(".git")].rstrip("/")
    return path or None


def resolve_candidate(candidate, environ):
    """One candidate of a field: a template, or an object with its post-processing."""
    if isinstance(candidate, str):
        value = expand(candidate, environ)
    else:
        value = expand(candidate["template"], environ)
        if value is not None:
            for prefix in candidate.get("stripPrefix") or ():
                if value.startswith(prefix):
                    value = value[len(prefix):]
                    break
        if value is not None and candidate.get("stripSuffix") is not None:
            suffix = expand(candidate["stripSuffix"], environ)
            if suffix is None:
                value = None
            elif suffix and value.endswith(suffix):
                value = value[: -len(suffix)]
        if value is not None and candidate.get("repoPath"):
            value = repo_path(value)
    if value is None or not value.strip():
        return None
    return value


def first_candidate(candidates, environ):
    for candidate in candidates:
        value = resolve_candidate(candidate, environ)
        if value is not None:
            return value
    return None


def _detects(provider, environ):
    detect = provider["detect"]
    if not detect:
        return False
    for name, want in detect.items():
        v = env_value(name, environ)
        if v is None or (want != "*" and v.lower() != want.strip().lower()):
            return False
    return True


def detect_provider(environ, providers=CI_PROVIDERS):
    """The first CI provider whose ``detect`` variables all match, or None."""
    for provider in providers:
        if _detects(provider, environ):
            return provider
    return None


def shard_of(provider, environ):
    """``"k/n"`` from the provider's shard variables, or None (a total of 1 is no shard)."""
    for source in provider.get("shards") or ():
        index = env_value(source["index"], environ)
        total = env_value(source["total"], environ)
        if not (index and total and _DIGITS.match(index) and _DIGITS.match(total)):
            continue
        n = int(total)
        k = int(index) + 1 - int(source["indexBase"])
        if n > 1 and 1 <= k <= n:
            return "%d/%d" % (k, n)
    return None
