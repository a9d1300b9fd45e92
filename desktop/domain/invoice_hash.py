"""The hash chain of issued invoices and credit notes (inalterability).

Each issued document stores ``sha256(previous_hash + canonical_json(fields))``:
changing any hashed field of any document, or removing one, breaks the chain
from that document on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from enum import Enum


def canonical_json(fields: Mapping[str, object]) -> str:
    """One text for one content: sorted keys, no spaces, exact decimals, ISO dates.

    >>> canonical_json({"b": Decimal("1.50"), "a": date(2026, 3, 1), "c": None})
    '{"a":"2026-03-01","b":"1.50","c":null}'
    """
    return json.dumps(
        fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain
    )


def _plain(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | date):
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    raise TypeError(f"cannot hash a {type(value).__name__}")


def chain_hash(previous_hash: str | None, payload: str) -> str:
    """The document's hash: its payload chained to the hash of the one before.

    >>> chain_hash(None, "{}") == hashlib.sha256(b"{}").hexdigest()
    True
    """
    return hashlib.sha256(((previous_hash or "") + payload).encode("utf-8")).hexdigest()
