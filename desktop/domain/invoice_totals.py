"""An invoice's totals: VAT per rate on the base of that rate (EN 16931 BR-CO-17).

Each line's amount is already rounded to the cent; the VAT of a rate is its base
times the rate, rounded half-up to the cent once per rate (not per line).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from desktop.domain.money import round_money

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class VatTotal:
    rate: Decimal  # in percent: 20.00
    base: Decimal  # excl. VAT
    vat: Decimal


@dataclass(frozen=True)
class Totals:
    excl_vat: Decimal
    vat: Decimal
    incl_vat: Decimal
    by_rate: tuple[VatTotal, ...]  # highest rate first


def vat_breakdown(lines: Iterable[tuple[Decimal, Decimal]]) -> tuple[VatTotal, ...]:
    """Base and VAT per rate of ``(amount_excl_vat, vat_rate)`` lines, highest rate first.

    >>> vat_breakdown([(Decimal("10.01"), Decimal("20.00")), (Decimal("10.01"), Decimal("20.00")),
    ...                (Decimal("3.33"), Decimal("5.50"))])  # doctest: +NORMALIZE_WHITESPACE
    (VatTotal(rate=Decimal('20.00'), base=Decimal('20.02'), vat=Decimal('4.00')),
     VatTotal(rate=Decimal('5.50'), base=Decimal('3.33'), vat=Decimal('0.18')))
    """
    bases: dict[Decimal, Decimal] = {}
    for amount, rate in lines:
        bases[rate] = bases.get(rate, ZERO) + amount
    return tuple(
        VatTotal(rate, base, round_money(base * rate / 100))
        for rate, base in sorted(bases.items(), reverse=True)
    )


def invoice_totals(lines: Iterable[tuple[Decimal, Decimal]]) -> Totals:
    """Totals excl. VAT, VAT and incl. VAT of ``(amount_excl_vat, vat_rate)`` lines.

    >>> invoice_totals([(Decimal("99.99"), Decimal("20.00"))]).incl_vat
    Decimal('119.99')
    """
    by_rate = vat_breakdown(lines)
    excl = sum((t.base for t in by_rate), ZERO)
    vat = sum((t.vat for t in by_rate), ZERO)
    return Totals(excl, vat, excl + vat, by_rate)
