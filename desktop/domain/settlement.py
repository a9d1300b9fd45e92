"""Where an issued invoice stands: what is still due, and its status."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from desktop.domain.enums import InvoiceStatus


def balance_due(total_incl_vat: Decimal, paid: Decimal, credited: Decimal) -> Decimal:
    """What the client still owes (negative: the provider owes a refund).

    >>> balance_due(Decimal("120.00"), Decimal("50.00"), Decimal("20.00"))
    Decimal('50.00')
    """
    return total_incl_vat - paid - credited


def settled_status(total_incl_vat: Decimal, paid: Decimal, credited: Decimal) -> InvoiceStatus:
    """Issued, partly paid, paid; cancelled when credit notes cover it all unpaid.

    >>> settled_status(Decimal("120.00"), Decimal("0"), Decimal("120.00")).label
    'Annulée'
    """
    if balance_due(total_incl_vat, paid, credited) > 0:
        return InvoiceStatus.PARTLY_PAID if paid > 0 else InvoiceStatus.ISSUED
    return InvoiceStatus.PAID if paid > 0 else InvoiceStatus.CANCELLED


def dispute_deadline(issued_on: date, dispute_days: int) -> date:
    """The last day to dispute a renewal invoice by email (HE §9.5: 5 days).

    >>> dispute_deadline(date(2026, 3, 2), 5)
    datetime.date(2026, 3, 7)
    """
    return issued_on + timedelta(days=dispute_days)


def dispute_is_late(received_on: date, issued_on: date, dispute_days: int, renewal: bool) -> bool:
    """Only a renewal invoice has a dispute window; a later dispute is flagged late."""
    return renewal and received_on > dispute_deadline(issued_on, dispute_days)
