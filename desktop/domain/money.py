"""Money: ``Decimal`` euros, rounded half-up to the cent in one place."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def round_money(value: Decimal) -> Decimal:
    """``value`` rounded half-up to the cent (2.345 → 2.35, -2.345 → -2.35)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
