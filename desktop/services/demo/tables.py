"""The tables the demo fills, in insertion order, and how many rows it wrote to each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop.db.models import (
    AccessCodeEvent,
    CatalogueOption,
    Client,
    Contact,
    Contract,
    Counter,
    Domain,
    LifecycleEvent,
    Mailbox,
    Plan,
    Price,
    ProductLine,
    Provider,
    SubscribedOption,
)

Row = dict[str, Any]
"""One row to insert, as column name → value (private ``_keys`` are dropped before)."""

TABLE_ORDER: tuple[Any, ...] = (
    Provider,
    ProductLine,
    Plan,
    CatalogueOption,
    Price,
    Client,
    Contact,
    Domain,
    Contract,
    Mailbox,
    SubscribedOption,
    LifecycleEvent,
    AccessCodeEvent,
    Counter,
)
"""Insertion order: parents before children."""


@dataclass(frozen=True)
class DemoSummary:
    """How many rows the demo wrote, per table."""

    providers: int
    product_lines: int
    plans: int
    options: int
    prices: int
    clients: int
    contacts: int
    domains: int
    contracts: int
    mailboxes: int
    subscribed_options: int
    lifecycle_events: int
    access_code_events: int
    counters: int
    invoices: int = 0  # issued by the billing history, after the bulk write

    @property
    def total_rows(self) -> int:
        """Rows of the bulk write."""
        return sum(getattr(self, name) for name in SUMMARY_TABLES)


SUMMARY_TABLES = {  # DemoSummary field → table it counts
    "providers": "provider",
    "product_lines": "product_line",
    "plans": "plan",
    "options": "catalogue_option",
    "prices": "price",
    "clients": "client",
    "contacts": "contact",
    "domains": "domain",
    "contracts": "contract",
    "mailboxes": "mailbox",
    "subscribed_options": "subscribed_option",
    "lifecycle_events": "lifecycle_event",
    "access_code_events": "access_code_event",
    "counters": "counter",
}


def summarise(rows: dict[str, list[Row]]) -> DemoSummary:
    """The summary of rows built per table name."""
    return DemoSummary(**{name: len(rows[table]) for name, table in SUMMARY_TABLES.items()})
