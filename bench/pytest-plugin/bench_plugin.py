#!/usr/bin/env python3
"""Benchmark of the pytest-platform plugin (not a test).

Measures
  1. the time pytest_sessionfinish spends building the RunResult and handing it to the sender
     ("enqueue"), recorded by the plugin itself when PYTEST_PLATFORM_TIMING_FILE is set:
       - over many in-process sessions of a small suite (p50/p99), and
       - over the 2,000-test sessions of part 2;
  2. the wall time of a generated 2,000-test pytest session with the plugin (live mode, and
     non-live) against the same session without it (-p no:pytest_platform), in alternating
     repetitions; the ratio is median(with) / median(without).

Targets: enqueue p99 < 100 us; wall-time ratio <= 1.02.

Run with the plugin's venv and a Redis on REDIS_URL (default redis://127.0.0.1:6379/0):
    shared/pytest-plugin/.venv/bin/python bench/pytest-plugin/bench_plugin.py [out.json]
Writes JSON to out.json (default bench/results/pytest-plugin.json).
"""
from __future__ import annotations

import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO / "bench" / "results" / "pytest-plugin.json"
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"

N_TESTS = 2000
FILES = 20
REPS = int(os.environ.get("BENCH_REPS", "7"))
INPROC_SESSIONS = int(os.environ.get("BENCH_INPROC_SESSIONS", "300"))
INPROC_TESTS = 200


def make_suite(root: Path, n_tests: int, files: int) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    per = n_tests // files
    for f in range(files):
        body = ["import pytest", ""]
        for i in range(per):
            if i % 50 == 49:
                body.append("@pytest.mark.skip(reason='bench skip')")
            body.append("def test_%d_%d():\n    assert %d + 1 == %d\n" % (f, i, i, i + 1))
        (root / ("test_gen_%02d.py" % f)).write_text("\n".join(body))
    return root


def pct(values, p):
    s = sorted(values)
    if not s:
        return None
    k = (len(s) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PYTEST_PLATFORM_") and k not in ("REDIS_URL", "RESULTS_STREAM", "PYTEST_ADDOPTS")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTEST_PLATFORM_QUIET"] = "1"  # the end-of-run line would count as unexpected output
    env.update(extra)
    return env


def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_session(suite: Path, env, extra_args=(), cpu_out=None):
    c0 = child_cpu()
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", str(suite), *extra_args], env=env,
                          cwd=str(suite), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
    if cpu_out is not None:
        cpu_out.append(child_cpu() - c0)
    if proc.returncode not in (0, 1):
        raise SystemExit("pytest failed (%d): %s" % (proc.returncode, proc.stderr.decode()[-2000:]))
    if proc.stderr.strip():
        raise SystemExit("unexpected stderr (is Redis up?): %s" % proc.stderr.decode()[-2000:])
    return dt


INPROC_SCRIPT = r"""
import sys, pytest
suite, n = sys.argv[1], int(sys.argv[2])
for _ in range(n):
    rc = pytest.main(["-p", "no:terminal", suite])
    assert rc == 0, rc
"""


def read_timings(path: Path):
    """One JSON record per session, written by the plugin at exit (PYTEST_PLATFORM_TIMING_FILE)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def main(argv):
    out_path = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    client.ping()
    stream = "pytest-platform:bench:%s" % uuid.uuid4()
    with tempfile.TemporaryDirectory(prefix="pp-bench-") as tmp:
        tmp = Path(tmp)
        big = make_suite(tmp / "big", N_TESTS, FILES)
        small = make_suite(tmp / "small", INPROC_TESTS, 4)
        spool = tmp / "spool"
        try:
            # ---- 1. enqueue time over many in-process sessions ---------------------------------
            t_small = tmp / "timing-small.txt"
            env = clean_env(REDIS_URL=REDIS_URL, RESULTS_STREAM=stream, PYTEST_PLATFORM_SPOOL_DIR=str(spool),
                            PYTEST_PLATFORM_TIMING_FILE=str(t_small), PROJECT="bench")
            subprocess.run([sys.executable, "-c", INPROC_SCRIPT, str(small), str(INPROC_SESSIONS)],
                           env=env, cwd=str(small), check=True, stdout=subprocess.DEVNULL)
            small_us = [r["enqueue_ns"] / 1000 for r in read_timings(t_small)]

            # ---- 2. wall time, alternating -----------------------------------------------------
            t_live = tmp / "timing-big-live.txt"
            t_nonlive = tmp / "timing-big-nonlive.txt"
            variants = {
                "without": (clean_env(REDIS_URL=REDIS_URL, RESULTS_STREAM=stream), ["-p", "no:pytest_platform"]),
                "with_live": (clean_env(REDIS_URL=REDIS_URL, RESULTS_STREAM=stream, PROJECT="bench",
                                        PYTEST_PLATFORM_SPOOL_DIR=str(spool),
                                        PYTEST_PLATFORM_TIMING_FILE=str(t_live)), []),
                "with_non_live": (clean_env(REDIS_URL=REDIS_URL, RESULTS_STREAM=stream, PROJECT="bench",
                                            PYTEST_PLATFORM_SPOOL_DIR=str(spool), PYTEST_PLATFORM_LIVE="0",
                                            PYTEST_PLATFORM_TIMING_FILE=str(t_nonlive)), []),
            }
            for name, (e, a) in variants.items():  # warm-up (page cache, .pyc of site-packages)
                run_session(big, e, a)
            t_live.unlink(missing_ok=True)
            t_nonlive.unlink(missing_ok=True)
            walls = {k: [] for k in variants}
            cpus = {k: [] for k in variants}
            order = list(variants)
            rng = random.Random(12345)
            for rep in range(REPS):
                seq = order[:]
                rng.shuffle(seq)  # alternate, in a different order each repetition
                for name in seq:
                    e, a = variants[name]
                    walls[name].append(run_session(big, e, a, cpus[name]))
            timings = {"live": read_timings(t_live), "non_live": read_timings(t_nonlive)}
            big_timings = timings["live"] + timings["non_live"]
            big_us = [r["enqueue_ns"] / 1000 for r in big_timings]
            assert all(r["tests"] == N_TESTS for r in big_timings), big_timings[:3]
            sent_runs = sum(1 for _id, f in client.xrange(stream) if f[b"type"] in (b"run", b"run.finished"))
            spooled = len(list(spool.glob("*.json"))) if spool.exists() else 0
        finally:
            client.delete(stream)

    med = {k: statistics.median(v) for k, v in walls.items()}
    paired = {k: statistics.median([a / b for a, b in zip(walls[k], walls["without"])])
              for k in ("with_live", "with_non_live")}
    # The plugin's own cost, measured inside the process (robust to other load on the machine):
    # main-thread hook time + waiting for the sender at exit, and the sender thread's CPU time.
    def own_cost(records):
        def per_session(key):
            vals = [r[key] for r in records if r.get(key) is not None]
            return statistics.median(vals) / 1e9 if vals else 0.0
        own = {
            "logreport_s": per_session("logreport_ns"),
            "sessionfinish_s": per_session("enqueue_ns"),
            "exit_wait_s": per_session("exit_wait_ns"),
            "sender_cpu_s": per_session("sender_cpu_ns"),
        }
        own["total_s"] = sum(own.values())
        own["fraction_of_session"] = own["total_s"] / med["without"]
        return own
    owns = {k: own_cost(v) for k, v in timings.items()}
    result = {
        "benchmark": "pytest-plugin",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": sys.platform},
        "pytest": __import__("pytest").__version__,
        "enqueue_us": {
            "small_sessions": {"sessions": len(small_us), "tests_per_session": INPROC_TESTS,
                               "p50": pct(small_us, 50), "p99": pct(small_us, 99), "max": max(small_us)},
            "big_sessions": {"sessions": len(big_us), "tests_per_session": N_TESTS,
                             "p50": pct(big_us, 50), "p99": pct(big_us, 99), "max": max(big_us)},
            "target_p99": 100,
        },
        "wall_s": {
            "tests": N_TESTS,
            "reps": REPS,
            "samples": walls,
            "median": med,
            "ratio_live": med["with_live"] / med["without"],
            "ratio_non_live": med["with_non_live"] / med["without"],
            "ratio_live_min": min(walls["with_live"]) / min(walls["without"]),
            "ratio_paired_median": paired,
            "target_ratio": 1.02,
        },
        "cpu_s": {
            "samples": cpus,
            "median": {k: statistics.median(v) for k, v in cpus.items()},
            "ratio_live": statistics.median(cpus["with_live"]) / statistics.median(cpus["without"]),
            "ratio_non_live": statistics.median(cpus["with_non_live"]) / statistics.median(cpus["without"]),
        },
        "plugin_own_cost_per_2000_test_session": owns,
        "load_average": os.getloadavg(),
        "check": {"runs_received": sent_runs, "runs_expected": 2 * (REPS + 1) + INPROC_SESSIONS, "spooled": spooled},
    }
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(result, indent=2) + "\n")

    e = result["enqueue_us"]
    w = result["wall_s"]
    print("pytest-platform plugin benchmark (python %s, pytest %s, %d cpus)" % (
        result["machine"]["python"], result["pytest"], result["machine"]["cpus"]))
    print()
    print("%-44s %10s %10s %10s" % ("enqueue in pytest_sessionfinish", "p50 us", "p99 us", "max us"))
    print("%-44s %10.1f %10.1f %10.1f" % ("%d sessions x %d tests (in-process)" % (
        e["small_sessions"]["sessions"], INPROC_TESTS), e["small_sessions"]["p50"], e["small_sessions"]["p99"],
        e["small_sessions"]["max"]))
    print("%-44s %10.1f %10.1f %10.1f" % ("%d sessions x %d tests (subprocess)" % (
        e["big_sessions"]["sessions"], N_TESTS), e["big_sessions"]["p50"], e["big_sessions"]["p99"],
        e["big_sessions"]["max"]))
    print("target: p99 < 100 us")
    print()
    cmed = result["cpu_s"]["median"]
    print("%-36s %10s %10s %8s %12s %8s" % ("%d tests, %d alternating reps" % (N_TESTS, REPS),
                                           "median s", "min s", "ratio", "cpu median s", "ratio"))
    for k in ("without", "with_live", "with_non_live"):
        print("%-36s %10.3f %10.3f %8.3f %12.3f %8.3f" % (
            "wall " + k, med[k], min(walls[k]), med[k] / med["without"], cmed[k], cmed[k] / cmed["without"]))
    print("paired ratio (median of per-repetition with/without): live %.3f, non-live %.3f" % (
        paired["with_live"], paired["with_non_live"]))
    print("load average during the run: %.1f %.1f %.1f (%d cpus)" % (os.getloadavg() + (os.cpu_count(),)))
    print()
    print("plugin's own cost per %d-test session (measured in-process, medians; robust to machine load):"
          % N_TESTS)
    for k, own in owns.items():
        print("  %-8s logreport hooks %.1f ms + sessionfinish %.3f ms + exit wait %.1f ms + sender CPU %.1f ms"
              " = %.1f ms (upper bound: the exit wait overlaps the sender CPU) = %.2f%% of the session without the plugin"
              % (k, own["logreport_s"] * 1e3, own["sessionfinish_s"] * 1e3, own["exit_wait_s"] * 1e3,
                 own["sender_cpu_s"] * 1e3, own["total_s"] * 1e3, 100 * own["fraction_of_session"]))
    print("target: ratio <= 1.02   (runs received by Redis: %d, spooled: %d)" % (sent_runs, spooled))
    print()
    print("wrote %s" % out_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
