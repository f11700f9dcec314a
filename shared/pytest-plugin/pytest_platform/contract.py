"""The facts every producer shares, read from ``contract.json`` (shared/schema/src/contract.json).

The Node reporters import the same file; the plugin ships it as package data.
"""

from __future__ import annotations

import json
import os

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "contract.json"), encoding="utf-8") as _fh:
    CONTRACT = json.load(_fh)

LIMITS = CONTRACT["limits"]
BOOLEAN_WORDS = CONTRACT["booleans"]
VARIABLES = CONTRACT["variables"]
CI_PROVIDERS = CONTRACT["ciProviders"]

# Lengths are JavaScript string lengths (UTF-16 code units).
MAX_RUN_ID = LIMITS["runIdLength"]
MAX_NAME = LIMITS["nameLength"]
MAX_NODEID = LIMITS["nodeidLength"]
MAX_MESSAGE = LIMITS["messageLength"]
MAX_LONGREPR = LIMITS["longreprLength"]
MAX_FILE = LIMITS["fileLength"]
MAX_ENV_KEYS = LIMITS["environmentKeys"]
MAX_ENV_KEY = LIMITS["nameLength"]
MAX_ENV_VALUE = LIMITS["environmentValueLength"]
MAX_TAGS = LIMITS["tagsPerTest"]
MAX_TAG = LIMITS["tagLength"]
MAX_TESTS_PER_RUN = LIMITS["testsPerRun"]
MAX_TESTS_PER_BATCH = LIMITS["testsPerBatch"]
MAX_BATCH_BYTES = LIMITS["reporterBatchBytes"]

_TRUE = frozenset(w.lower() for w in BOOLEAN_WORDS["true"])
_FALSE = frozenset(w.lower() for w in BOOLEAN_WORDS["false"])


def parse_bool(value, default: bool) -> bool:
    """A boolean variable's value by the contract's words (case and blanks ignored).

    Unset, blank or an unknown word keeps ``default``.
    """
    if value is None:
        return default
    word = str(value).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return default
