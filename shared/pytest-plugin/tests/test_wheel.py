"""The wheel a user builds installs alone next to pytest, outside this repository, and reports."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile

from conftest import CONTRACT_PATH, PLUGIN_DIR, REDIS_URL, base_env, end_lines, read_entries, write_suite


def _pip_env():
    # The machine's pip config may list an unreachable default index next to a local one.
    return base_env(PIP_RETRIES=os.environ.get("PIP_RETRIES", "0"), PIP_DISABLE_PIP_VERSION_CHECK="1",
                    PYTHONPATH=None)


def _run(cmd, timeout=300, **kw):
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, **kw)
    assert proc.returncode == 0, "%s\n%s\n%s" % (cmd, proc.stdout[-3000:], proc.stderr[-3000:])
    return proc


def _source_copy(dest):
    """The plugin's sources laid out as in the repository, so the contract.json link resolves,
    without this checkout's build leftovers (a setuptools build/ directory can leak into wheels)."""
    plugin = dest / "shared" / "pytest-plugin"
    shutil.copytree(PLUGIN_DIR, plugin, symlinks=True, ignore=shutil.ignore_patterns(
        ".venv", "build", "*.egg-info", "__pycache__", ".pytest_cache", "tests", "scripts"))
    assert os.path.islink(plugin / "pytest_platform" / "contract.json")
    (dest / "shared" / "schema" / "src").mkdir(parents=True)
    shutil.copy(CONTRACT_PATH, dest / "shared" / "schema" / "src" / "contract.json")
    return plugin


def test_wheel_installs_with_pytest_only_and_reports(tmp_path, rclient, stream, validators):
    assert not str(tmp_path).startswith(str(PLUGIN_DIR.parent.parent))  # outside the repository
    env = _pip_env()
    plugin = _source_copy(tmp_path / "src")
    wheels = tmp_path / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", plugin, "-w", wheels], env=env)
    (wheel,) = wheels.glob("pytest_platform-*.whl")

    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        requires = [line.split(":", 1)[1].strip() for line in zf.read(metadata).decode().splitlines()
                    if line.startswith("Requires-Dist:")]
        info = zf.getinfo("pytest_platform/contract.json")
        shipped = zf.read(info)
        entry_points = zf.read(metadata.replace("METADATA", "entry_points.txt")).decode()
    assert [r for r in requires if "extra ==" not in r] == ["pytest>=7"]
    assert not stat.S_ISLNK(info.external_attr >> 16)  # the content, not a link
    assert shipped == CONTRACT_PATH.read_bytes()
    assert "pytest_platform = pytest_platform" in entry_points
    assert "pytest_platform/__main__.py" in names

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv], env=env)
    py = venv / "bin" / "python"
    _run([py, "-m", "pip", "install", "-q", "pytest"], env=env)
    _run([py, "-m", "pip", "install", "-q", "--no-deps", wheel], env=env)
    assert subprocess.run([py, "-c", "import redis"], capture_output=True).returncode != 0

    project = write_suite(tmp_path / "project", {
        "test_app.py": "def test_ok():\n    pass\n\ndef test_bad():\n    assert 1 == 2\n",
    })
    spool = tmp_path / "spool"
    run_env = base_env(REDIS_URL=REDIS_URL, RESULTS_STREAM=stream, PYTEST_PLATFORM_SPOOL_DIR=spool, PYTHONPATH=None)
    proc = subprocess.run([str(py), "-m", "pytest"], cwd=str(project), env=run_env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    entries = read_entries(rclient, stream, validators)
    assert [t for t, _ in entries][0] == "run.started" and entries[-1][0] == "run.finished"
    finished = entries[-1][1]
    assert (finished["summary"]["passed"], finished["summary"]["failed"]) == (1, 1)
    assert [line[0] for line in end_lines(proc.stderr)] == [finished["run_id"]]
    assert not spool.exists()

    flush = subprocess.run([str(py), "-m", "pytest_platform", "flush"], cwd=str(project), env=run_env,
                           capture_output=True, text=True, timeout=60)
    assert flush.returncode == 0 and flush.stdout.startswith("sent 0 runs"), flush.stdout + flush.stderr
    assert json.loads(subprocess.run(
        [str(py), "-c", "import json, pytest_platform.contract as c; print(json.dumps(c.LIMITS))"],
        capture_output=True, text=True).stdout) == json.loads(CONTRACT_PATH.read_text())["limits"]
