"""Quotes (devis, business rules §4-5): totals, validity and status transitions.

Pure computation on exact decimals:

- a line is ``quantity × unit price`` rounded half-up to the cent (its gross
  amount), less its own discount: an amount in euros, else a percentage of the
  gross amount (rounded to the cent);
- a global discount (a percentage) then applies to each line's net amount,
  rounded to the cent per line, so that every line keeps its exact share and the
  VAT bases per rate stay the sum of their lines;
- VAT is computed once per rate on its base (EN 16931 BR-CO-17), as on invoices.

A quote's totals add every line as quoted: monthly and yearly lines count once
(their price for one month or one year), so the summary also gives the recurring
amounts apart from the one-off ones.

Statuses: draft → sent → accepted / refused / expired; a draft may also be
refused (the prospect declined before it was sent). A sent quote whose validity
date has passed is expired and can no longer be accepted.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

from desktop.domain.enums import OptionBilling, QuoteStatus
from desktop.domain.invoice_totals import ZERO, Totals, invoice_totals
from desktop.domain.money import round_money
from desktop.errors import UserError

HUNDRED = Decimal("100")
K = TypeVar("K", bound=Hashable)
DEFAULT_VALIDITY_DAYS = 30
"""A quote is valid 30 days from the day it is sent, unless a validity date is given."""


class QuoteRefused(UserError):
    """A quote cannot make that move (its status or its validity forbids it)."""


@dataclass(frozen=True)
class LineInput:
    """A quote line as typed (unit price excl. VAT, rates in percent)."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    billing: OptionBilling = OptionBilling.PER_ACT
    """Monthly for plans; the option's own terms; per act for initial fees and services."""
    discount_percent: Decimal = ZERO
    discount_amount: Decimal | None = None
    """An amount off the line (excl. VAT); when set, the percentage is ignored."""


@dataclass(frozen=True)
class LineAmounts:
    gross: Decimal
    """quantity × unit price, rounded to the cent."""
    discount: Decimal
    """The line's own discount and its share of the global one."""
    net: Decimal
    """What the line adds to the quote, excl. VAT."""

    def net_unit_price(self, quantity: Decimal) -> Decimal:
        """The price of one unit once discounted, to the cent (what the contract carries)."""
        if quantity == 0:
            return ZERO
        return round_money(self.net / quantity)


@dataclass(frozen=True)
class QuoteTotals:
    lines: tuple[LineAmounts, ...]
    gross: Decimal
    """Before any discount."""
    discount: Decimal
    totals: Totals
    monthly: Decimal
    """Recurring each month, excl. VAT."""
    yearly: Decimal
    """Recurring each year, excl. VAT."""
    one_off: Decimal
    """Billed once (initial fees, services, per-act options), excl. VAT."""

    @property
    def excl_vat(self) -> Decimal:
        return self.totals.excl_vat

    @property
    def vat(self) -> Decimal:
        return self.totals.vat

    @property
    def incl_vat(self) -> Decimal:
        return self.totals.incl_vat


def check_line(line: LineInput) -> dict[str, str]:
    """What is wrong with a line, by field (empty when it is fine)."""
    errors: dict[str, str] = {}
    if not line.description.strip():
        errors["description"] = "Indiquez le libellé de la ligne."
    if line.quantity <= 0:
        errors["quantity"] = "La quantité doit être positive."
    if line.unit_price < 0:
        errors["unit_price"] = "Le prix unitaire ne peut pas être négatif."
    if not ZERO <= line.vat_rate <= HUNDRED:
        errors["vat_rate"] = "Le taux de TVA doit être compris entre 0 et 100 %."
    if not ZERO <= line.discount_percent <= HUNDRED:
        errors["discount_percent"] = "La remise doit être comprise entre 0 et 100 %."
    gross = round_money(line.quantity * line.unit_price)
    if line.discount_amount is not None and not ZERO <= line.discount_amount <= gross:
        errors["discount_amount"] = (
            f"La remise en euros doit être comprise entre 0 et le montant de la ligne ({gross} €)."
        )
    return errors


def line_amounts(line: LineInput, global_percent: Decimal = ZERO) -> LineAmounts:
    """The gross, discount and net amounts of one line.

    >>> line = LineInput("Exchange 50 Go", Decimal("3"), Decimal("9.99"), Decimal("20.00"),
    ...                  discount_percent=Decimal("10"))
    >>> line_amounts(line)
    LineAmounts(gross=Decimal('29.97'), discount=Decimal('3.00'), net=Decimal('26.97'))
    >>> line_amounts(line, Decimal("5"))
    LineAmounts(gross=Decimal('29.97'), discount=Decimal('4.35'), net=Decimal('25.62'))
    """
    gross = round_money(line.quantity * line.unit_price)
    if line.discount_amount is not None:
        own = round_money(line.discount_amount)
    else:
        own = round_money(gross * line.discount_percent / HUNDRED)
    net = gross - own
    shared = round_money(net * global_percent / HUNDRED)
    return LineAmounts(gross, own + shared, net - shared)


def quote_totals(lines: Sequence[LineInput], global_percent: Decimal = ZERO) -> QuoteTotals:
    """Totals of a quote: per line, excl. VAT / VAT per rate / incl. VAT, and by recurrence.

    >>> plan = LineInput("Exchange", Decimal("10"), Decimal("12.00"), Decimal("20.00"),
    ...                  billing=OptionBilling.MONTHLY)
    >>> fee = LineInput("Frais de mise en service", Decimal("1"), Decimal("150.00"),
    ...                 Decimal("20.00"))
    >>> totals = quote_totals([plan, fee])
    >>> totals.excl_vat, totals.vat, totals.incl_vat, totals.monthly, totals.one_off
    (Decimal('270.00'), Decimal('54.00'), Decimal('324.00'), Decimal('120.00'), Decimal('150.00'))
    """
    if not ZERO <= global_percent <= HUNDRED:
        raise UserError("La remise globale doit être comprise entre 0 et 100 %.")
    amounts = tuple(line_amounts(line, global_percent) for line in lines)
    by_billing: dict[OptionBilling, Decimal] = dict.fromkeys(OptionBilling, ZERO)
    for line, amount in zip(lines, amounts, strict=True):
        by_billing[line.billing] += amount.net
    return QuoteTotals(
        lines=amounts,
        gross=sum((a.gross for a in amounts), ZERO),
        discount=sum((a.discount for a in amounts), ZERO),
        totals=invoice_totals(
            (amount.net, line.vat_rate) for line, amount in zip(lines, amounts, strict=True)
        ),
        monthly=by_billing[OptionBilling.MONTHLY],
        yearly=by_billing[OptionBilling.YEARLY],
        one_off=by_billing[OptionBilling.PER_ACT],
    )


def negotiated_prices(
    lines: Iterable[tuple[K | None, Decimal, LineAmounts]],
) -> dict[K, Decimal]:
    """The unit price excl. VAT a contract carries for each item (plan, option) of its quote.

    ``lines`` give each quote line's item (None for a free line, left out), its
    quantity and its amounts (after its own discount and its share of the global
    one). An item's price is its lines' net amounts added, over their quantities
    added, rounded half-up to the cent once: on a single line, its net unit price.

    >>> one = line_amounts(LineInput("Exchange", Decimal("3"), Decimal("9.99"), Decimal("20"),
    ...                              discount_percent=Decimal("10")), Decimal("5"))
    >>> free = line_amounts(LineInput("Migration", Decimal("1"), Decimal("300"), Decimal("20")))
    >>> negotiated_prices([("plan", Decimal("3"), one), (None, Decimal("1"), free)])
    {'plan': Decimal('8.54')}
    >>> two = line_amounts(LineInput("Exchange", Decimal("1"), Decimal("12.00"), Decimal("20")))
    >>> negotiated_prices([("plan", Decimal("3"), one), ("plan", Decimal("1"), two)])
    {'plan': Decimal('9.41')}
    """
    nets: dict[K, Decimal] = {}
    quantities: dict[K, Decimal] = {}
    for item, quantity, amounts in lines:
        if item is not None:
            nets[item] = nets.get(item, ZERO) + amounts.net
            quantities[item] = quantities.get(item, ZERO) + quantity
    return {
        item: round_money(net / quantities[item]) if quantities[item] else ZERO
        for item, net in nets.items()
    }


# --- validity and statuses --------------------------------------------------------------


def default_valid_until(sent_on: date) -> date:
    """The validity date of a quote sent on ``sent_on`` when none is given.

    >>> default_valid_until(date(2026, 3, 2))
    datetime.date(2026, 4, 1)
    """
    return sent_on + timedelta(days=DEFAULT_VALIDITY_DAYS)


def is_expired(status: QuoteStatus, valid_until: date | None, today: date) -> bool:
    """Whether a quote has lapsed: sent, and its validity date is before ``today``.

    The validity date itself is still a valid day.
    """
    if status is QuoteStatus.EXPIRED:
        return True
    return status is QuoteStatus.SENT and valid_until is not None and valid_until < today


TRANSITIONS: dict[QuoteStatus, frozenset[QuoteStatus]] = {
    QuoteStatus.DRAFT: frozenset({QuoteStatus.SENT, QuoteStatus.REFUSED}),
    QuoteStatus.SENT: frozenset({QuoteStatus.ACCEPTED, QuoteStatus.REFUSED, QuoteStatus.EXPIRED}),
    QuoteStatus.ACCEPTED: frozenset(),
    QuoteStatus.REFUSED: frozenset(),
    QuoteStatus.EXPIRED: frozenset(),
}
"""Where each status may go; accepted, refused and expired are final."""

_MOVES = {
    QuoteStatus.SENT: "envoyé",
    QuoteStatus.ACCEPTED: "accepté",
    QuoteStatus.REFUSED: "refusé",
    QuoteStatus.EXPIRED: "expiré",
}


def check_move(
    current: QuoteStatus, target: QuoteStatus, valid_until: date | None, today: date
) -> None:
    """Refuse, in French, a move the status or the validity forbids.

    >>> check_move(QuoteStatus.SENT, QuoteStatus.ACCEPTED, date(2026, 3, 1), date(2026, 3, 2))
    Traceback (most recent call last):
    ...
    desktop.domain.quotes.QuoteRefused: Ce devis a expiré le 01/03/2026 : il ne peut plus être accepté. Établissez un nouveau devis.
    """  # noqa: E501
    if target is QuoteStatus.ACCEPTED and is_expired(current, valid_until, today):
        assert valid_until is not None or current is QuoteStatus.EXPIRED
        when = f" le {valid_until:%d/%m/%Y}" if valid_until is not None else ""
        raise QuoteRefused(
            f"Ce devis a expiré{when} : il ne peut plus être accepté. Établissez un nouveau devis."
        )
    if target not in TRANSITIONS[current]:
        if current is QuoteStatus.DRAFT and target is QuoteStatus.ACCEPTED:
            raise QuoteRefused("Ce devis est un brouillon : envoyez-le avant de l'accepter.")
        raise QuoteRefused(
            f"Ce devis est « {current.label} » : il ne peut pas être {_MOVES[target]}."
        )
    if target is QuoteStatus.EXPIRED and not is_expired(current, valid_until, today):
        raise QuoteRefused("Ce devis est encore valide : il n'est pas expiré.")
