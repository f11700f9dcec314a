"""Helpers for the plugin tests: real Redis, pytest run as a subprocess, schema validation."""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

# The fixture suite is run by the tests, never collected as part of them.
collect_ignore = ["fixtures"]

HERE = Path(__file__).resolve().parent
PLUGIN_DIR = HERE.parent
SUITE = HERE / "fixtures" / "suite"
EXPECTED = json.loads((SUITE / "expected.json").read_text())
SCHEMA_PATH = PLUGIN_DIR.parent / "schema" / "run-result.schema.json"
CONTRACT_PATH = PLUGIN_DIR.parent / "schema" / "src" / "contract.json"
REDIS_URL = os.environ.get("PLUGIN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def have_rerunfailures() -> bool:
    try:
        import pytest_rerunfailures  # noqa: F401
    except Exception:
        return False
    return True


HAVE_RERUN = have_rerunfailures()


def expected_suite():
    """expected.json, adjusted when pytest-rerunfailures is missing (then the flaky test fails)."""
    exp = json.loads(json.dumps(EXPECTED))
    if not HAVE_RERUN:
        t = exp["tests"]["test_flaky.py::test_flaky"]
        t.update(outcome="failed", attempts=1, message="AssertionError: first attempt fails")
        s = exp["summary"]
        s["passed"] -= 1
        s["failed"] += 1
        s["flaky"] = 0
    return exp


@pytest.fixture(scope="session")
def schema():
    return json.loads(SCHEMA_PATH.read_text())


@pytest.fixture(scope="session")
def validators(schema):
    from jsonschema import Draft202012Validator

    out = {"run": Draft202012Validator(schema)}
    for name, sub in schema["$defs"].items():
        out[name] = Draft202012Validator(sub)
    return out


@pytest.fixture(scope="session")
def rclient():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, decode_responses=True)
    try:
        client.ping()
    except Exception as exc:  # the tests need a real Redis; say so loudly
        pytest.fail("Redis is not reachable at %s (%s); start it (redis-server) first" % (REDIS_URL, exc))
    return client


@pytest.fixture
def stream(rclient):
    name = "pytest-platform:test:%s" % uuid.uuid4()
    yield name
    rclient.delete(name)


@pytest.fixture
def spool_dir(tmp_path):
    return tmp_path / "spool"


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _ci_variables():
    """Every variable a CI provider of contract.json is detected by or read from."""
    contract = json.loads(CONTRACT_PATH.read_text())
    names = set()
    for provider in contract["ciProviders"]:
        names.update(provider["detect"])
        names.update(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", json.dumps(provider)))
        for shard in provider["shards"]:
            names.update((shard["index"], shard["total"]))
    return names


CI_VARIABLES = _ci_variables()


def base_env(**extra):
    """A clean environment for a child pytest: no inherited plugin settings or CI variables.

    A keyword set to None removes that variable.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not (
            k in ("REDIS_URL", "RESULTS_STREAM", "PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PROJECT",
                  "BRANCH", "COMMIT", "WORKER_ID", "FLAKY_STATE_FILE", "PYTEST_PLATFORM")
            or k in CI_VARIABLES
            or k.startswith("PYTEST_PLATFORM_")
            or k.startswith(("GITHUB_", "GITLAB_", "CI_", "BUILDKITE", "CIRCLE", "JENKINS", "BITBUCKET_"))
            or k.startswith("PYTEST_XDIST")
        )
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PROJECT"] = "plugin-tests"
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = str(v)
    return env


class Runner:
    def __init__(self, tmp_path, stream, spool_dir):
        self.tmp_path = tmp_path
        self.stream = stream
        self.spool_dir = spool_dir
        self.n = 0

    def env(self, redis_url=REDIS_URL, **extra):
        self.n += 1
        return base_env(
            REDIS_URL=redis_url,
            RESULTS_STREAM=self.stream,
            PYTEST_PLATFORM_SPOOL_DIR=self.spool_dir,
            FLAKY_STATE_FILE=self.tmp_path / ("flaky-state-%d" % self.n),
            **extra,
        )

    def run(self, *args, env=None, cwd=None, timeout=60):
        env = env if env is not None else self.env()
        return subprocess.run(
            [sys.executable, "-m", "pytest", *map(str, args)],
            env=env,
            cwd=str(cwd or self.tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            timeout=timeout,
        )


@pytest.fixture
def runner(tmp_path, stream, spool_dir):
    return Runner(tmp_path, stream, spool_dir)


def read_entries(rclient, stream, validators):
    """All entries of the stream as (type, data), each data validated against the contract."""
    out = []
    for _id, fields in rclient.xrange(stream, "-", "+"):
        assert set(fields) == {"type", "data"}, fields
        typ = fields["type"]
        data = json.loads(fields["data"])
        assert typ in validators, typ
        errors = sorted(validators[typ].iter_errors(data), key=str)
        assert not errors, "%s entry invalid: %s" % (typ, [e.message[:200] for e in errors])
        check_receiver_rules(data)
        out.append((typ, data))
    return out


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def check_receiver_rules(data):
    """What receivers check beyond the JSON Schema: well-formed Unicode, dates from 2000, no finish before the start."""
    for text in _strings(data):
        text.encode("utf-8")  # a lone surrogate raises UnicodeEncodeError
    started = data.get("started_at")
    assert started is None or started >= "2000-01-01T00:00:00", started
    finished = data.get("finished_at")
    assert finished is None or finished >= started, (started, finished)


def normalize_output(text: str) -> str:
    text = re.sub(r"in \d+(\.\d+)?s( \(\d+:\d\d:\d\d\))?", "in Ns", text)
    text = re.sub(r"^plugins: .*$", "plugins: ...", text, flags=re.M)
    return text


def write_suite(dest: Path, files: dict) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    for name, src in files.items():
        (dest / name).write_text(src)
    return dest


END_LINE = re.compile(
    r"^pytest-platform: run (\S+) \u00b7 (\d+) failed, (\d+) passed, (\d+) skipped(?: \u2192 (\S+))?$")


def end_lines(stderr: str):
    """The end lines of a child session's stderr, as (run_id, failed, passed, skipped, url)."""
    out = []
    for line in stderr.splitlines():
        m = END_LINE.match(line)
        if m:
            out.append((m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4)), m.group(5)))
    return out


def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le", "surrogatepass")) // 2
