"""The plugin never produces an entry receivers refuse: lone surrogates, a finish before the start."""
from __future__ import annotations

import json

import pytest

from conftest import read_entries, write_suite
from pytest_platform.wire import dumps


def test_dumps_writes_lone_surrogates_as_replacement_characters():
    text = dumps({"nodeid": "t\ud800", "message": "\udc00\ud800", "pair": "\ud83d\ude00", "emoji": "\U0001F600", "k\udfff": "v",
                  "backslash": "\\ud800"})
    assert json.loads(text) == {"nodeid": "t\ufffd", "message": "\ufffd\ufffd", "pair": "\U0001F600", "emoji": "\U0001F600",
                                "k\ufffd": "v", "backslash": "\\ud800"}
    assert dumps({"plain": "text", "emoji": "\U0001F600"}) == '{"plain":"text","emoji":"\\ud83d\\ude00"}'


@pytest.mark.parametrize("live", [True, False], ids=["live", "non-live"])
def test_a_session_with_lone_surrogates_sends_entries_receivers_take(runner, rclient, stream, validators, tmp_path, live):
    suite = write_suite(tmp_path / "surrogates", {
        "test_surrogates.py": (
            "import pytest\n"
            "@pytest.mark.parametrize('v', [1], ids=['id\\udc80'])\n"
            "def test_id(v):\n    pass\n"
            "def test_message():\n"
            "    assert False, 'half \\ud800 of a pair'\n"
        ),
    })
    # Ids as given, unescaped: the way a lone surrogate (a non-UTF-8 file name, surrogateescape) reaches a node id.
    (suite / "pytest.ini").write_text(
        "[pytest]\naddopts = -p no:cacheprovider\n"
        "disable_test_id_escaping_and_forfeit_all_rights_to_community_support = true\n")
    proc = runner.run(suite, *([] if live else ["--platform-no-live"]))
    assert proc.returncode == 1, proc.stderr
    entries = read_entries(rclient, stream, validators)  # checks every string is well-formed
    tests = {t["nodeid"]: t for typ, data in entries if typ in ("run", "run.tests") for t in data["tests"]}
    assert tests["test_surrogates.py::test_id[id\ufffd]"]["outcome"] == "passed"
    assert "half \ufffd of a pair" in tests["test_surrogates.py::test_message"]["message"]


def test_a_clock_set_back_during_the_session_never_finishes_the_run_before_it_started():
    from pytest_platform.reporter import PlatformReporter

    reporter = PlatformReporter.__new__(PlatformReporter)
    reporter.started_at = "2026-11-26T10:00:00.000Z"
    reporter._final = {"finished_at": 1_795_000_000.0 - 3600 * 24 * 365, "duration": -5.0, "status": "passed", "summary": {}, "tests": []}
    final = reporter._final_fields()
    assert final["finished_at"] == "2026-11-26T10:00:00.000Z"
    assert final["duration"] == 0.0
