"""The packing and the reading of published values against the fixtures the Node CLI is tested with too."""
from __future__ import annotations

import json

import pytest

from conftest import PLUGIN_DIR
from pytest_platform.published import InvalidDocument, key_for, parse_durations, parse_quarantine, parse_time_ms
from pytest_platform.sharding import parse_shard, plan_shards

FIXTURES = PLUGIN_DIR.parent / "schema" / "fixtures"
SHARDING = json.loads((FIXTURES / "sharding.json").read_text(encoding="utf-8"))
PUBLISHED = json.loads((FIXTURES / "published-lists.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", SHARDING["cases"], ids=[c["name"] for c in SHARDING["cases"]])
def test_packing_matches_the_shared_fixture(case):
    shards = plan_shards(case["items"], case["durations"], case["total"])
    assert shards == case["expected"]
    names = [name for shard in shards for name in shard]
    assert sorted(names) == sorted(set(case["items"])) and len(names) == len(set(names))


def test_packing_is_the_same_whatever_order_the_names_come_in():
    case = next(c for c in SHARDING["cases"] if c["name"].startswith("60 files") and c["total"] == 8)
    assert plan_shards(list(reversed(case["items"])), case["durations"], 8) == case["expected"]


@pytest.mark.parametrize("case", PUBLISHED["quarantine"], ids=[c["name"] for c in PUBLISHED["quarantine"]])
def test_quarantine_lists_read_as_the_shared_fixture_says(case):
    now = parse_time_ms(PUBLISHED["now"])
    if case["expected"] == "invalid":
        with pytest.raises(InvalidDocument):
            parse_quarantine(case["text"], now)
    else:
        assert parse_quarantine(case["text"], now) == case["expected"]


@pytest.mark.parametrize("case", PUBLISHED["durations"], ids=[c["name"] for c in PUBLISHED["durations"]])
def test_durations_read_as_the_shared_fixture_says(case):
    if case["expected"] == "invalid":
        with pytest.raises(InvalidDocument):
            parse_durations(case["text"])
    else:
        assert parse_durations(case["text"]) == (None if case["expected"] == "missing" else case["expected"])


@pytest.mark.parametrize("case", PUBLISHED["keys"], ids=[c["key"] for c in PUBLISHED["keys"]])
def test_keys_as_the_contract_names_them(case):
    assert key_for(case["kind"], case["stream"], case["project"], case["build"]) == case["key"]


@pytest.mark.parametrize("text, expected", [("1/1", (1, 1)), (" 2 / 4 ", (2, 4)), ("999999/999999", (999999, 999999))])
def test_parse_shard_accepts(text, expected):
    assert parse_shard(text) == expected


@pytest.mark.parametrize("text", ["0/3", "4/3", "1/0", "1/1000000", "1", "a/b", "1/2/3", "-1/2", "\u0662/\u0663", ""])
def test_parse_shard_refuses_with_a_reason(text):
    with pytest.raises(ValueError) as info:
        parse_shard(text)
    assert str(info.value)
