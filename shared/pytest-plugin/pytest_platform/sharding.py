"""Splitting a suite into N shards by recorded duration, and keeping one of them.

``plan_shards`` is the packing the Node CLI's ``pytest-platform shard`` uses too
(shared/reporter/src/shard-plan.ts); both are checked against shared/schema/fixtures/sharding.json,
so a pytest job and a vitest job split the same names the same way, byte for byte.

Longest processing time first: names (test files, or test ids) sorted by recorded seconds, longest
first, ties by name (code point order); each goes to the shard with the least seconds so far (ties:
the lowest shard). A name without a record counts as the median of those with one; when none has a
record every name counts the same (a split by count). Nothing but the names and the record decides,
so N processes that collect the same tests agree without talking to each other.
"""

from __future__ import annotations

import heapq
import math

import pytest

MAX_SHARDS = 999999
SHARD_BY = ("file", "test")
# The key of xdist's workerinput that carries the controller's record to its workers.
WORKER_INPUT_KEY = "pytest_platform_durations"


def parse_shard(text):
    """``"K/N"`` (1 <= K <= N <= 999999) as ``(K, N)``; raises ValueError saying what is wrong."""
    parts = str(text).strip().split("/")
    if len(parts) != 2 or not all(p.strip().isdigit() and p.strip().isascii() for p in parts):
        raise ValueError("expected K/N, e.g. 2/4 (shard 2 of 4), got %r" % (text,))
    k, n = int(parts[0]), int(parts[1])
    if not 1 <= n <= MAX_SHARDS:
        raise ValueError("the number of shards must be 1 to %d, got %r" % (MAX_SHARDS, text))
    if not 1 <= k <= n:
        raise ValueError("the shard must be 1 to %d (1-based), got %r" % (n, text))
    return k, n


def recorded_seconds(value):
    """A recorded duration: a finite number >= 0 (not a boolean); None for anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        seconds = float(value)
    except OverflowError:  # an integer too large for a double: JavaScript reads Infinity
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def plan_shards(names, durations, total):
    """The names of each of ``total`` shards (a list of lists, each in code point order).

    ``durations`` maps a name to its recorded seconds (anything else counts as no record).
    Repeated names count once.
    """
    unique = sorted(set(names))  # Python compares strings by code point, as the Node code does
    durations = durations if isinstance(durations, dict) else {}
    known = {}
    for name in unique:
        seconds = recorded_seconds(durations.get(name))
        if seconds is not None:
            known[name] = seconds
    values = sorted(known.values())
    if not values:
        median = 1.0
    elif len(values) % 2:
        median = values[len(values) // 2]
    else:
        median = (values[len(values) // 2 - 1] + values[len(values) // 2]) / 2
    weight = {name: known.get(name, median) for name in unique}
    longest_first = sorted(unique, key=lambda name: -weight[name])  # stable: ties stay in name order
    shards = [[] for _ in range(total)]
    loads = [(0.0, index) for index in range(total)]  # already a heap: least load, then lowest index
    for name in longest_first:
        load, index = loads[0]
        shards[index].append(name)
        heapq.heapreplace(loads, (load + weight[name], index))
    return [sorted(shard) for shard in shards]


def shard_key(item, by):
    """What an item is split by: its file (the node id up to ``::``) or its node id."""
    nodeid = item.nodeid
    return nodeid if by == "test" else nodeid.split("::", 1)[0]


class ShardSelector:
    """Keeps shard K of N of the collected tests (in every process that collects: xdist workers too)."""

    def __init__(self, index, total, by, durations):
        self.index = index
        self.total = total
        self.by = by
        self.durations = durations if isinstance(durations, dict) else {}

    @pytest.hookimpl(trylast=True)  # after -k, -m and other plugins' deselection: split what will run
    def pytest_collection_modifyitems(self, config, items):
        keys = [shard_key(item, self.by) for item in items]
        keep = set(plan_shards(keys, self.durations, self.total)[self.index - 1])
        selected = [item for item, key in zip(items, keys) if key in keep]
        if len(selected) != len(items):
            config.hook.pytest_deselected(items=[item for item, key in zip(items, keys) if key not in keep])
            items[:] = selected

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node):
        # xdist's controller does not collect; each worker does, and must split with the same record.
        node.workerinput[WORKER_INPUT_KEY] = self.durations
