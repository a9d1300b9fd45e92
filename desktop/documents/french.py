"""How values read in French documents, without Qt: 1 234,56 €, 22/11/2026, 22 novembre 2026.

The same conventions as the screens (:mod:`desktop.ui.formatting`): a narrow
no-break space (U+202F) between thousands, a no-break space before the euro
sign and the percent sign, dates day first; money is formatted exactly from
its ``Decimal``, never through a float.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal

from desktop.domain.clock import PARIS
from desktop.domain.money import round_money
from desktop.domain.periods import MONTH_NAMES as MONTHS
from desktop.domain.periods import month_name as month_name

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"

_SPACE_BEFORE = re.compile(r"[ \u202f\u00a0]+([:;!?»%€])")
_SPACE_AFTER = re.compile(r"«[ \u202f\u00a0]+")


def french_int(value: int) -> str:
    """12345 → « 12 345 »."""
    sign = "-" if value < 0 else ""
    return sign + f"{abs(value):,}".replace(",", NARROW_NBSP)


def french_decimal(value: Decimal) -> str:
    """A quantity or a rate without useless zeros: 1 → « 1 », 1.50 → « 1,5 »."""
    normal = value.normalize()
    if normal == normal.to_integral_value():
        return french_int(int(normal))
    sign = "-" if normal < 0 else ""
    units, _, decimals = f"{abs(normal):f}".partition(".")
    return f"{sign}{french_int(int(units))},{decimals}"


def french_money(value: Decimal) -> str:
    """Decimal('1234.5') → « 1 234,50 € » (rounded half-up to the cent)."""
    rounded = round_money(value)
    sign = "-" if rounded < 0 else ""
    units, _, cents = f"{abs(rounded):.2f}".partition(".")
    return f"{sign}{french_int(int(units))},{cents}{NBSP}€"


def french_percent(value: Decimal) -> str:
    """Decimal('99.00') → « 99 % », Decimal('12.5') → « 12,5 % »."""
    return f"{french_decimal(value)}{NBSP}%"


def french_date(value: date) -> str:
    """« 22/11/2026 »."""
    return value.strftime("%d/%m/%Y")


def french_long_date(value: date) -> str:
    """« 22 novembre 2026 », « 1er mars 2027 »."""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def french_datetime(value: datetime) -> str:
    """An aware instant in Paris time: « 22/11/2026 à 14:05 »."""
    local = value.astimezone(PARIS)
    return f"{french_date(local.date())} à {local:%H:%M}"


def french_time(value: time) -> str:
    """« 9 h », « 18 h 30 »."""
    if value.minute == 0:
        return f"{value.hour}{NBSP}h"
    return f"{value.hour}{NBSP}h{NBSP}{value.minute:02d}"


def plural(count: int, singular: str, plural_form: str) -> str:
    """« 1 mois », « 0 compte », « 12 comptes » (French: 0 and 1 are singular)."""
    return f"{french_int(count)} {singular if abs(count) <= 1 else plural_form}"


def group_digits(value: str, size: int = 3) -> str:
    """A SIREN or SIRET as printed: « 552 081 317 », « 552 081 317 00018 »."""
    if len(value) == 14:  # SIRET: SIREN then the 5-digit establishment number
        return f"{group_digits(value[:9], size)} {value[9:]}"
    return " ".join(value[i : i + size] for i in range(0, len(value), size))


def french_spacing(text: str) -> str:
    """No-break spaces where French typography wants them, for paragraphs that wrap.

    A space before « : ; ! ? » % € » and after « becomes a no-break space, and
    the narrow no-break space (U+202F) does too: ReportLab's paragraphs would
    break a line there (U+202F is whitespace to them) but never at U+00A0.
    """
    text = _SPACE_BEFORE.sub(NBSP + r"\1", text)
    return _SPACE_AFTER.sub("«" + NBSP, text).replace(NARROW_NBSP, NBSP)
