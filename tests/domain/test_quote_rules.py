"""Quote rules: exact totals with discounts, VAT per rate, validity and transitions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from desktop.domain.enums import OptionBilling, QuoteStatus
from desktop.domain.quotes import LineInput, QuoteRefused, check_move, is_expired, quote_totals

D = Decimal


def test_line_and_global_discounts_and_vat_per_rate() -> None:
    lines = [
        LineInput("Forfait", D("3"), D("9.99"), D("20.00"), OptionBilling.MONTHLY, D("10")),
        LineInput("Livre", D("1"), D("33.33"), D("5.50"), discount_amount=D("3.33")),
    ]
    totals = quote_totals(lines, D("5"))
    assert [a.net for a in totals.lines] == [D("25.62"), D("28.50")]
    assert [(r.rate, r.base, r.vat) for r in totals.totals.by_rate] == [
        (D("20.00"), D("25.62"), D("5.12")),
        (D("5.50"), D("28.50"), D("1.57")),
    ]
    assert (totals.excl_vat, totals.vat, totals.incl_vat) == (D("54.12"), D("6.69"), D("60.81"))
    assert (totals.monthly, totals.one_off) == (D("25.62"), D("28.50"))


def test_validity_and_transitions() -> None:
    assert not is_expired(QuoteStatus.SENT, date(2026, 3, 1), date(2026, 3, 1))
    assert is_expired(QuoteStatus.SENT, date(2026, 3, 1), date(2026, 3, 2))
    with pytest.raises(QuoteRefused, match="expiré le 01/03/2026"):
        check_move(QuoteStatus.SENT, QuoteStatus.ACCEPTED, date(2026, 3, 1), date(2026, 3, 2))
    with pytest.raises(QuoteRefused, match="brouillon"):
        check_move(QuoteStatus.DRAFT, QuoteStatus.ACCEPTED, None, date(2026, 3, 2))
    with pytest.raises(QuoteRefused):
        check_move(QuoteStatus.REFUSED, QuoteStatus.SENT, None, date(2026, 3, 2))
    check_move(QuoteStatus.SENT, QuoteStatus.ACCEPTED, date(2026, 3, 1), date(2026, 3, 1))
