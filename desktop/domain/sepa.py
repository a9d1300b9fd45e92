"""SEPA direct-debit rules: mandate references, lapsing, pre-notification, sequence types.

Identifiers sent to the bank (mandate reference "RUM", end-to-end id, message
id) are at most 35 characters of the SEPA character set; we keep to its safe
core (upper-case Latin letters, digits and "-") so that every bank accepts them.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from desktop.domain.enums import SequenceType
from desktop.domain.periods import add_months

SEPA_ID_MAX = 35
"""Max35Text: mandate reference, end-to-end id and message id."""

RUM_PREFIX = "BOM"
LAPSE_MONTHS = 36
"""A mandate unused for 36 months lapses (EPC SDD Core rulebook)."""

PRE_NOTIFICATION_DAYS = 14
"""The debtor is told at least 14 calendar days before the collection."""

_NOT_SAFE = re.compile(r"[^A-Z0-9-]+")


def sepa_safe(text: str) -> str:
    """Upper-case ``text`` reduced to letters, digits and single dashes.

    >>> sepa_safe("cl 0042/b")
    'CL-0042-B'
    >>> sepa_safe("  é--x ")
    'X'
    """
    return re.sub("-{2,}", "-", _NOT_SAFE.sub("-", text.upper())).strip("-")


def _join(head: str, tail: str, middle: str) -> str:
    """``head-middle-tail``, ``middle`` cut so that the whole fits in 35 characters."""
    room = SEPA_ID_MAX - len(head) - len(tail) - 2
    return f"{head}-{middle[:room].rstrip('-')}-{tail}" if middle and room > 0 else f"{head}-{tail}"


def make_rum(client_code: str, sequence: int) -> str:
    """A mandate reference (RUM): ``BOM-{client code}-{sequence:06d}``.

    The sequence is one counter for every mandate, so a reference is never
    given twice (a new contract or a new bank account gets a new one). The
    client code is shortened when needed so that the reference fits 35 characters.

    >>> make_rum("CL00042", 7)
    'BOM-CL00042-000007'
    >>> len(make_rum("A" * 40, 123)) <= 35
    True
    >>> make_rum("A" * 40, 123)
    'BOM-AAAAAAAAAAAAAAAAAAAAAAAA-000123'
    """
    return _join(RUM_PREFIX, f"{sequence:06d}", sepa_safe(client_code))


def end_to_end_id(invoice_number: str, sequence: int) -> str:
    """The end-to-end id of one debit: the invoice number then a debit counter.

    It comes back on the bank statement and on a rejection: it names the
    invoice, and differs for a second attempt at the same invoice.

    >>> end_to_end_id("F2026-000042", 3)
    'F2026-000042-D000003'
    """
    tail = f"D{sequence:06d}"
    head = sepa_safe(invoice_number)[: SEPA_ID_MAX - len(tail) - 1].rstrip("-")
    return f"{head}-{tail}" if head else tail


def message_id(created_on: date, sequence: int) -> str:
    """The message id of a pain.008 file, unique for the creditor.

    >>> message_id(date(2026, 3, 2), 12)
    'BOM-PRLV-20260302-000012'
    """
    return f"{RUM_PREFIX}-PRLV-{created_on:%Y%m%d}-{sequence:06d}"


def lapse_date(last_use: date | None, signed_on: date) -> date:
    """The day a mandate lapses if it is not used before: 36 months after its
    last collection, or after its signature when it was never used.

    >>> lapse_date(None, date(2023, 2, 28))
    datetime.date(2026, 2, 28)
    >>> lapse_date(date(2024, 5, 31), date(2020, 1, 1))
    datetime.date(2027, 5, 31)
    """
    return add_months(last_use or signed_on, LAPSE_MONTHS)


def mandate_lapsed(last_use: date | None, signed_on: date, today: date) -> bool:
    """Whether a mandate unused for 36 months has lapsed by ``today``.

    >>> mandate_lapsed(None, date(2023, 3, 1), date(2026, 2, 28))
    False
    >>> mandate_lapsed(None, date(2023, 3, 1), date(2026, 3, 1))
    True
    >>> mandate_lapsed(date(2025, 1, 10), date(2020, 1, 1), date(2026, 3, 1))
    False
    """
    return today >= lapse_date(last_use, signed_on)


def earliest_collection_date(today: date, notice_days: int = PRE_NOTIFICATION_DAYS) -> date:
    """The first collection date the pre-notification allows (14 calendar days).

    >>> earliest_collection_date(date(2026, 12, 20))
    datetime.date(2027, 1, 3)
    """
    return today + timedelta(days=notice_days)


def sequence_type(collected_before: bool) -> SequenceType:
    """FRST for a mandate's first collection, RCUR for the later ones.

    >>> sequence_type(False).value, sequence_type(True).value
    ('FRST', 'RCUR')
    """
    return SequenceType.RCUR if collected_before else SequenceType.FRST
