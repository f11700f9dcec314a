"""Reading environment variables: blank is unset, booleans by the contract's words."""

from __future__ import annotations

import os

from .contract import parse_bool


def env_value(name, environ=None):
    """The variable's value without surrounding blanks; None when unset or blank."""
    v = (environ if environ is not None else os.environ).get(name)
    if v is None:
        return None
    v = v.strip()
    return v or None


def env_float(name, default, environ=None):
    v = env_value(name, environ)
    if v is None:
        return default
    try:
        f = float(v)
    except ValueError:
        return default
    return f if f >= 0 else default


def env_bool(name, default, environ=None):
    return parse_bool((environ if environ is not None else os.environ).get(name), default)
