"""The pytest hooks: options, and registering the reporter when a Redis URL is set."""

from __future__ import annotations

import argparse
import os
import sys

import pytest

from .identity import read_git, resolve_identity
from .published import Published, read_published, unread_warning
from .quarantine import QuarantineGuard
from .reporter import PlatformReporter, TimedReporter
from .reports import TAGS_ATTR, marker_tags
from .settings import plugin_enabled, quarantine_requested, redis_url, reporter_options, shard_request
from .sharding import SHARD_BY, WORKER_INPUT_KEY, ShardSelector, parse_shard

_ACTIVE_ATTR = "_pytest_platform_reporter"
_ACTING_ATTR = "_pytest_platform_acting"


def _shard_option(text):
    try:
        return parse_shard(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def pytest_addoption(parser):
    group = parser.getgroup("platform", "pytest-platform result streaming")
    group.addoption("--platform-redis-url", dest="platform_redis_url", default=None, metavar="URL",
                    help="Redis URL to send results to (env PYTEST_PLATFORM_REDIS_URL, else REDIS_URL). "
                         "The plugin is inactive without one.")
    group.addoption("--platform-project", dest="platform_project", default=None,
                    help="project name (env PROJECT)")
    group.addoption("--platform-branch", dest="platform_branch", default=None,
                    help="branch name (env BRANCH)")
    group.addoption("--platform-commit", dest="platform_commit", default=None,
                    help="commit id (env COMMIT)")
    group.addoption("--platform-worker-id", dest="platform_worker_id", default=None,
                    help="worker id (env WORKER_ID, default: the CI runner, else the host name)")
    group.addoption("--platform-build-id", dest="platform_build_id", default=None,
                    help="build id grouping the runs of one CI build (env PYTEST_PLATFORM_BUILD_ID)")
    group.addoption("--platform-no-live", dest="platform_no_live", action="store_true", default=False,
                    help="send one `run` entry at the end instead of live entries "
                         "(env PYTEST_PLATFORM_LIVE=0)")
    group.addoption("--platform-stop-timeout", dest="platform_stop_timeout", default=None, type=float,
                    metavar="SECONDS",
                    help="max seconds to wait for the sender at exit "
                         "(env PYTEST_PLATFORM_STOP_TIMEOUT, default 10)")
    group.addoption("--platform-quarantine", dest="platform_quarantine", action="store_true", default=False,
                    help="failures of tests the platform lists as quarantined are reported but do not fail "
                         "the session (env PYTEST_PLATFORM_QUARANTINE=1)")
    group.addoption("--platform-shard", dest="platform_shard", default=None, type=_shard_option, metavar="K/N",
                    help="run only shard K of N (1-based), split by recorded durations (env PYTEST_PLATFORM_SHARD)")
    group.addoption("--platform-shard-by", dest="platform_shard_by", default=None, choices=SHARD_BY,
                    help="split by test file (default) or by test (env PYTEST_PLATFORM_SHARD_BY)")


class TagRecorder:
    """Puts a test's marker names on its setup report, in the process that runs the test."""

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        if call.when != "setup":
            return
        try:
            tags = marker_tags(item)
            if tags:
                setattr(outcome.get_result(), TAGS_ATTR, tags)
        except Exception:  # a tag is never worth a broken run
            pass


def _warn(line):
    try:
        sys.stderr.write(line.replace("\n", " ") + "\n")
        sys.stderr.flush()
    except Exception:
        pass


def _configure_acting(config, enabled, url, options):
    """Quarantine and sharding: read what they need once, register what applies them.

    Returns the quarantined tests (``{nodeid: entry}``) for the reporter; puts the shard in the
    identity overrides. In an xdist worker only the shard applies, with the controller's record.
    """
    worker = hasattr(config, "workerinput")
    quarantine = quarantine_requested(config.option, options["environ"]) and not worker
    shard, by, warning = shard_request(config.option, options["environ"])
    if warning and not worker:
        _warn(warning)
    if shard is not None and shard[1] > 1:
        options["overrides"]["shard"] = "%d/%d" % shard
    split = shard is not None and shard[1] > 1
    if worker:
        if split:
            config.pluginmanager.register(
                ShardSelector(shard[0], shard[1], by, config.workerinput.get(WORKER_INPUT_KEY)), "pytest-platform-shard")
        return {}
    if not quarantine and not split:
        return {}
    if not enabled:
        published = Published(warning=unread_warning("PYTEST_PLATFORM is off", quarantine, split))
    elif not url:
        published = Published(warning=unread_warning(
            "no Redis URL (PYTEST_PLATFORM_REDIS_URL or REDIS_URL)", quarantine, split))
    else:
        identity = resolve_identity(_rootdir(config), options["overrides"], options["environ"], git=read_git)
        options["identity"] = identity
        published = read_published(url, options["stream"], identity["project"], identity["build_id"],
                                   quarantine=quarantine, durations=split, environ=options["environ"])
    if published.warning:
        _warn(published.warning)
    if split:
        durations = (published.durations or {}).get("tests" if by == "test" else "files") or {}
        config.pluginmanager.register(ShardSelector(shard[0], shard[1], by, durations), "pytest-platform-shard")
    if quarantine:
        config.pluginmanager.register(QuarantineGuard(config, published.quarantine), "pytest-platform-quarantine")
    return published.quarantine


def _rootdir(config):
    return str(getattr(config, "rootpath", None) or getattr(config, "rootdir", "") or os.getcwd())


def pytest_configure(config):
    try:
        if getattr(config, _ACTIVE_ATTR, None) is not None or getattr(config, _ACTING_ATTR, False):
            return
        setattr(config, _ACTING_ATTR, True)
        enabled = plugin_enabled()
        url = redis_url(getattr(config.option, "platform_redis_url", None)) if enabled else None
        options = reporter_options(config.option)
        options["quarantined"] = _configure_acting(config, enabled, url, options)
        if getattr(config.option, "collectonly", False):  # listing tests is not a test run
            return
        if not url:
            return
        config.pluginmanager.register(TagRecorder(), "pytest-platform-tags")
        if hasattr(config, "workerinput"):  # xdist worker: only the controller reports
            setattr(config, _ACTIVE_ATTR, True)
            return
        cls = TimedReporter if options["timing_file"] else PlatformReporter
        reporter = cls(config, url, options)
        setattr(config, _ACTIVE_ATTR, reporter)
        config.pluginmanager.register(reporter, "pytest-platform-reporter")
    except Exception as exc:  # never break a test run
        try:
            sys.stderr.write("pytest-platform: disabled: %r\n" % (exc,))
        except Exception:
            pass
