"""The pytest hooks: options, and registering the reporter when a Redis URL is set."""

from __future__ import annotations

import sys

import pytest

from .reporter import PlatformReporter, TimedReporter
from .reports import TAGS_ATTR, marker_tags
from .settings import plugin_enabled, redis_url, reporter_options

_ACTIVE_ATTR = "_pytest_platform_reporter"


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


def pytest_configure(config):
    try:
        if getattr(config, _ACTIVE_ATTR, None) is not None:
            return
        if getattr(config.option, "collectonly", False):  # listing tests is not a test run
            return
        if not plugin_enabled():
            return
        url = redis_url(getattr(config.option, "platform_redis_url", None))
        if not url:
            return
        config.pluginmanager.register(TagRecorder(), "pytest-platform-tags")
        if hasattr(config, "workerinput"):  # xdist worker: only the controller reports
            setattr(config, _ACTIVE_ATTR, True)
            return
        options = reporter_options(config.option)
        cls = TimedReporter if options["timing_file"] else PlatformReporter
        reporter = cls(config, url, options)
        setattr(config, _ACTIVE_ATTR, reporter)
        config.pluginmanager.register(reporter, "pytest-platform-reporter")
    except Exception as exc:  # never break a test run
        try:
            sys.stderr.write("pytest-platform: disabled: %r\n" % (exc,))
        except Exception:
            pass
