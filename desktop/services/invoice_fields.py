"""What an issued document's hash covers, read the same way when issuing and verifying."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from desktop.db.models import Invoice, InvoiceLine
from desktop.db.types import ExactDecimal
from desktop.domain.invoice_hash import canonical_json

HASHED_INVOICE_COLUMNS = (
    "chain_index", "kind", "number", "client_id", "issued_on", "due_on", "period_start",
    "period_end", "billing_month", "corrects_id", "total_excl_vat", "total_vat",
    "total_incl_vat", "currency", "payment_method", "purchase_order_ref", "is_renewal",
    "buyer_name", "buyer_address", "buyer_siren", "buyer_vat_number", "buyer_json",
    "seller_json", "reason",
)  # fmt: skip
HASHED_LINE_COLUMNS = (
    "position", "kind", "description", "quantity", "unit_price_excl_vat", "vat_rate",
    "amount_excl_vat", "period_start", "period_end", "mailbox_id", "contract_id",
    "plan_id", "option_id", "subscribed_option_id", "corrects_line_id",
)  # fmt: skip


def _quanta(table: sa.FromClause, names: Sequence[str]) -> dict[str, Decimal | None]:
    """Each hashed column's decimal quantum (None: not a decimal column)."""
    types = {name: table.c[name].type for name in names}
    return {n: t.quantum if isinstance(t, ExactDecimal) else None for n, t in types.items()}


_INVOICE_QUANTA = _quanta(Invoice.__table__, HASHED_INVOICE_COLUMNS)
_LINE_QUANTA = _quanta(InvoiceLine.__table__, HASHED_LINE_COLUMNS)


def document_payload(invoice: Mapping[Any, Any], lines: Sequence[Any]) -> str:
    """The canonical text of a document and its lines (rows or mappings)."""
    fields = _normalised(_INVOICE_QUANTA, invoice)
    fields["lines"] = [_normalised(_LINE_QUANTA, _mapping(line)) for line in lines]
    return canonical_json(fields)


def _mapping(line: Any) -> Mapping[Any, Any]:
    return line if isinstance(line, Mapping) else line._mapping


def _normalised(quanta: dict[str, Decimal | None], values: Mapping[Any, Any]) -> dict[str, Any]:
    """Decimals at their column's scale (1.5 and 1.50 hash alike, on every database)."""
    result: dict[str, Any] = {}
    for name, quantum in quanta.items():
        value = values[name]
        result[name] = (
            value.quantize(quantum) if quantum is not None and value is not None else value
        )
    return result
