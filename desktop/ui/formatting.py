"""How values read in French: 1 234,56 €, 22/11/2026, statuses in colour."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum

from PySide6.QtCore import QLocale
from PySide6.QtGui import QColor

from desktop.domain.clock import PARIS
from desktop.domain.contracts import Period
from desktop.domain.enums import (
    ClientStatus,
    ContractStatus,
    DnsStatus,
    IncidentStatus,
    InvoiceStatus,
    MailboxStatus,
    QuoteStatus,
)

FRENCH = QLocale(QLocale.Language.French, QLocale.Country.France)
NARROW_NBSP = "\u202f"

GREEN = "#1b7f3b"
BLUE = "#1f5fbf"
ORANGE = "#b35c00"
RED = "#c0262d"
GREY = "#6b6b6b"

STATUS_COLOURS: dict[Enum, str] = {
    ClientStatus.PROSPECT: BLUE,
    ClientStatus.ACTIVE: GREEN,
    ClientStatus.SUSPENDED: ORANGE,
    ClientStatus.TERMINATED: GREY,
    ClientStatus.ANONYMISED: GREY,
    MailboxStatus.REQUESTED: BLUE,
    MailboxStatus.ACTIVE: GREEN,
    MailboxStatus.SUSPENDED: ORANGE,
    MailboxStatus.NON_RENEWAL_REQUESTED: ORANGE,
    MailboxStatus.TERMINATED: GREY,
    MailboxStatus.DELETED: GREY,
    ContractStatus.PENDING: BLUE,
    ContractStatus.ACTIVE: GREEN,
    ContractStatus.SUSPENDED: ORANGE,
    ContractStatus.TERMINATED: GREY,
    ContractStatus.CANCELLED: GREY,
    InvoiceStatus.DRAFT: GREY,
    InvoiceStatus.ISSUED: BLUE,
    InvoiceStatus.PARTLY_PAID: ORANGE,
    InvoiceStatus.PAID: GREEN,
    InvoiceStatus.CANCELLED: GREY,
    IncidentStatus.OPEN: RED,
    IncidentStatus.RESTORED: ORANGE,
    IncidentStatus.CLOSED: GREEN,
    DnsStatus.UNKNOWN: GREY,
    DnsStatus.PENDING: BLUE,
    DnsStatus.OK: GREEN,
    DnsStatus.ERROR: RED,
    QuoteStatus.DRAFT: GREY,
    QuoteStatus.SENT: BLUE,
    QuoteStatus.ACCEPTED: GREEN,
    QuoteStatus.REFUSED: RED,
    QuoteStatus.EXPIRED: ORANGE,
}


def french_int(value: int) -> str:
    """12345 → « 12 345 » (narrow no-break space, as French typography wants)."""
    return f"{value:,}".replace(",", NARROW_NBSP)


def money(value: Decimal) -> str:
    """Decimal('1234.5') → « 1 234,50 € »; exact, never through a float."""
    sign = "-" if value < 0 else ""
    units, _, cents = f"{abs(value):.2f}".partition(".")
    return f"{sign}{french_int(int(units))},{cents}\u00a0€"


def french_date(value: date | None) -> str:
    return "" if value is None else value.strftime("%d/%m/%Y")


def french_datetime(value: datetime | None) -> str:
    """An aware instant shown in Paris time: « 22/11/2026 14:05 »."""
    return "" if value is None else value.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")


SOON = timedelta(hours=2)
"""Support time left under which an open incident's deadline shows in orange."""


def hours_minutes(value: timedelta) -> str:
    """A duration as « 3 h 05 » (minutes rounded down; « 0 h 45 », « 27 h 00 »)."""
    minutes = int(abs(value).total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d}"


def support_left_text(left: timedelta, breached: bool = False) -> str:
    """« 3 h 05 ouvrées restantes » or, once the deadline has passed, « dépassé de 1 h 20
    ouvrées » (support time since the deadline: 0 h 00 over a weekend)."""
    if breached or left < timedelta(0):
        return f"dépassé de {hours_minutes(left)} ouvrées"
    return f"{hours_minutes(left)} ouvrées restantes"


def support_left_colour(left: timedelta, breached: bool = False) -> str:
    """Red once breached, orange in the last two support hours, else green."""
    if breached or left < timedelta(0):
        return RED
    return ORANGE if left <= SOON else GREEN


def plural(count: int, singular: str, plural_form: str) -> str:
    """« 1 client », « 0 client », « 12 345 clients » (French: 0 and 1 are singular)."""
    return f"{french_int(count)} {singular if count <= 1 else plural_form}"


def status_colour(value: object) -> QColor | None:
    colour = STATUS_COLOURS.get(value) if isinstance(value, Enum) else None
    return None if colour is None else QColor(colour)


def label(value: object) -> str:
    """An enum's French label, any other value as text; None as nothing."""
    if value is None:
        return ""
    return str(getattr(value, "label", value))


def period_text(period: Period) -> str:
    """« du 24/10/2026 au 23/10/2027 (renouvellement n° 4) » or « (période initiale) »."""
    which = "période initiale" if period.is_initial else f"renouvellement n°\u00a0{period.number}"
    return f"du {french_date(period.start)} au {french_date(period.end)} ({which})"
