"""An amount in euros typed the French way: « 1 234,56 » (a point is accepted too).

The text is read exactly, as a ``Decimal`` of at most two decimals, never through
a float; what is wrong is said in French, as the forms show it under the field.
"""

from __future__ import annotations

import re
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget

from desktop.domain.errors import InvalidValue
from desktop.ui.formatting import french_int
from desktop.ui.widgets.validated_form import Validator

EXAMPLE = "1 234,56"
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_AMOUNT = re.compile(r"-?\d+(?:,\d+)?")


def parse_amount(text: str) -> Decimal:
    """« 1 234,56 », « 1234.56 », « 1.234,56 », « 12 € » → Decimal; else InvalidValue."""
    value = _SPACES.sub("", text).removesuffix("€")
    if "," in value:
        value = value.replace(".", "")  # 1.234,56: the point groups the thousands
    else:
        value = value.replace(".", ",")
    if not _AMOUNT.fullmatch(value):
        raise InvalidValue(f"Montant attendu, en euros : par exemple {EXAMPLE}.")
    units, _, cents = value.partition(",")
    if len(cents) > 2:
        raise InvalidValue("Deux décimales au plus : le montant est en euros et centimes.")
    return Decimal(f"{units}.{cents or '0'}").quantize(Decimal("0.01"))


def amount_text(value: Decimal) -> str:
    """Decimal('1234.5') → « 1 234,50 » (no currency sign: the field says it)."""
    sign = "-" if value < 0 else ""
    units, _, cents = f"{abs(value):.2f}".partition(".")
    return f"{sign}{french_int(int(units))},{cents}"


def positive_amount(
    required: str, *, at_most: Decimal | None = None, too_much: str = ""
) -> Validator:
    """Validator of an :class:`AmountField`: a Decimal > 0 (and ≤ ``at_most`` if given)."""

    def validate(text: str) -> Decimal:
        if not text.strip():
            raise InvalidValue(required)
        amount = parse_amount(text)
        if amount <= 0:
            raise InvalidValue("Le montant doit être supérieur à zéro.")
        if at_most is not None and amount > at_most:
            raise InvalidValue(too_much)
        return amount

    return validate


class AmountField(QLineEdit):
    """A line edit for euros, right-aligned, with its value set and read as Decimal."""

    def __init__(self, value: Decimal | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setPlaceholderText(EXAMPLE)
        self.setMaximumWidth(self.fontMetrics().horizontalAdvance("0 000 000 000,00") + 24)
        self.set_amount(value)

    def set_amount(self, value: Decimal | None) -> None:
        self.setText("" if value is None else amount_text(value))

    def amount(self) -> Decimal | None:
        """The amount typed, None when empty or not an amount."""
        try:
            return parse_amount(self.text()) if self.text().strip() else None
        except InvalidValue:
            return None
