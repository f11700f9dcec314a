"""``python -m pytest_platform flush``: send the spooled runs."""

from __future__ import annotations

import argparse
import sys

from .redis_client import make_client, redact_url
from .settings import DEFAULT_STREAM, redis_url
from .spool import default_spool_dir, flush_spool
from .variables import env_value

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379"


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m pytest_platform")
    sub = ap.add_subparsers(dest="cmd")
    fl = sub.add_parser("flush", help="send spooled runs to the Redis stream")
    fl.add_argument("--redis-url", default=None,
                    help="default: $PYTEST_PLATFORM_REDIS_URL, else $REDIS_URL, else " + DEFAULT_REDIS_URL)
    fl.add_argument("--stream", default=None, help="default: $RESULTS_STREAM or " + DEFAULT_STREAM)
    fl.add_argument("--spool-dir", default=None, help="default: $PYTEST_PLATFORM_SPOOL_DIR or the cache dir")
    args = ap.parse_args(argv)
    if args.cmd != "flush":
        ap.print_help()
        return 2
    url = redis_url(args.redis_url) or DEFAULT_REDIS_URL
    stream = args.stream or env_value("RESULTS_STREAM") or DEFAULT_STREAM
    spool_dir = args.spool_dir or default_spool_dir()
    try:
        client = make_client(url)
        sent, failed = flush_spool(client, stream, spool_dir)
    except Exception as exc:
        print("pytest-platform: cannot reach Redis at %s: %s" % (redact_url(url), exc), file=sys.stderr)
        return 1
    print("sent %d run%s from %s" % (sent, "" if sent == 1 else "s", spool_dir))
    if failed:
        print("pytest-platform: %d unreadable spool file(s) renamed to *.bad" % failed, file=sys.stderr)
    return 0
