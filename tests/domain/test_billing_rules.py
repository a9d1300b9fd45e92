"""Billing rules without a database: pro rata, options on their terms, order, VAT, renewal."""

from __future__ import annotations

import doctest
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.domain import billing
from desktop.domain.billing import (
    Account,
    Catalogue,
    ClientMonth,
    ContractTerms,
    Interval,
    InvoiceDraft,
    MissingPrice,
    Month,
    OptionTerms,
    PlanTerms,
    PricePoint,
    Subscription,
    bill_client,
    price_on,
    yearly_due,
)
from desktop.domain.enums import (
    InvoiceLineKind,
    OptionBilling,
    OptionCategory,
    PaymentMethod,
)
from desktop.domain.periods import add_months

D = Decimal
SINCE = date(2020, 1, 1)
MARCH = Month.of(date(2026, 3, 1))
FEBRUARY_LEAP = Month.of(date(2028, 2, 1))

PLAN, CHEAP_PLAN = 1, 2
ARCHIVE, DOMAIN, FEE, MIGRATION, RESTORE = 11, 12, 13, 14, 15


def priced(amount: str, since: date = SINCE) -> tuple[PricePoint, ...]:
    return (PricePoint(since, None, D(amount)),)


CATALOGUE = Catalogue(
    plans={
        PLAN: PlanTerms("Exchange 50 Go", None, priced("12.00")),
        CHEAP_PLAN: PlanTerms("Exchange 2 Go", D("5.50"), priced("1.03")),
    },
    options={
        ARCHIVE: OptionTerms(
            "Archivage", None, priced("2.00"), OptionCategory.OPTION, OptionBilling.MONTHLY
        ),
        DOMAIN: OptionTerms(
            "Nom de domaine", None, priced("15.00"), OptionCategory.OPTION, OptionBilling.YEARLY
        ),
        FEE: OptionTerms(
            "Frais de mise en service", None, priced("49.00"),
            OptionCategory.INITIAL_FEE, OptionBilling.PER_ACT,
        ),
        MIGRATION: OptionTerms(
            "Migration", D("5.50"), priced("25.00"), OptionCategory.SERVICE, OptionBilling.PER_ACT
        ),
        RESTORE: OptionTerms(
            "Restauration", None, priced("35.00"), OptionCategory.OPTION, OptionBilling.PER_ACT
        ),
    },
    default_vat_rate=D("20.00"),
)  # fmt: skip

CONTRACT = ContractTerms(1, "C2026-00002", PaymentMethod.TRANSFER, date(2026, 1, 1), 12)
OLD_CONTRACT = ContractTerms(2, "C2024-00001", None, date(2024, 1, 1), 12)


def box(
    mailbox_id: int = 100,
    start: date = SINCE,
    end: date | None = None,
    *,
    plan: int = PLAN,
    address: str = "jean@exemple.fr",
    contract: int = 1,
) -> Account:
    return Account(mailbox_id, contract, plan, address, Interval(start, end))


def client(
    *accounts: Account,
    subscriptions: tuple[Subscription, ...] = (),
    contracts: tuple[ContractTerms, ...] = (CONTRACT,),
    payment_method: PaymentMethod | None = None,
) -> ClientMonth:
    return ClientMonth(
        client_id=7,
        payment_method=payment_method,
        contracts={c.id: c for c in contracts},
        accounts=accounts,
        subscriptions=subscriptions,
    )


def bill(who: ClientMonth, month: Month = MARCH) -> InvoiceDraft:
    draft = bill_client(who, month, CATALOGUE)
    assert draft is not None
    return draft


def test_the_module_examples_hold() -> None:
    assert doctest.testmod(billing).failed == 0


# --- months, intervals, prices ----------------------------------------------------------


def test_month_knows_its_days_and_french_name() -> None:
    assert (FEBRUARY_LEAP.first, FEBRUARY_LEAP.last, FEBRUARY_LEAP.days) == (
        date(2028, 2, 1), date(2028, 2, 29), 29
    )  # fmt: skip
    assert Month.of(date(2026, 8, 31)).label == "août 2026"
    assert Month.of(date(2026, 12, 5)).last == date(2026, 12, 31)


def test_interval_within_a_month() -> None:
    assert Interval(date(2026, 2, 1)).within(MARCH) == (MARCH.first, MARCH.last)
    assert Interval(date(2026, 3, 9), date(2026, 3, 9)).within(MARCH) == (
        date(2026, 3, 9), date(2026, 3, 9)
    )  # fmt: skip
    assert Interval(date(2026, 1, 1), date(2026, 2, 28)).within(MARCH) is None
    assert Interval(date(2026, 4, 1)).within(MARCH) is None


def test_price_history_ends_are_excluded() -> None:
    history = (
        PricePoint(date(2025, 1, 1), date(2026, 3, 16), D("10.00")),
        PricePoint(date(2026, 3, 16), None, D("11.00")),
    )
    plan = PlanTerms("Plan", None, history)
    assert price_on(plan, date(2026, 3, 15)) == D("10.00")
    assert price_on(plan, date(2026, 3, 16)) == D("11.00")
    with pytest.raises(MissingPrice, match="« Plan » au 31/12/2024"):
        price_on(plan, date(2024, 12, 31))


# --- accounts ---------------------------------------------------------------------------


def test_a_full_month_bills_the_monthly_price() -> None:
    (line,) = bill(client(box())).lines
    assert line == billing.LineDraft(
        kind=InvoiceLineKind.SUBSCRIPTION,
        description="Boîte jean@exemple.fr — Exchange 50 Go — mars 2026",
        quantity=D("1"),
        unit_price=D("12.00"),
        vat_rate=D("20.00"),
        amount=D("12.00"),
        period_start=MARCH.first,
        period_end=MARCH.last,
        contract_id=1,
        mailbox_id=100,
        plan_id=PLAN,
    )


@pytest.mark.parametrize(
    ("start", "end", "amount", "note"),
    [
        (date(2026, 3, 15), None, "6.58", "17/31"),  # 12 × 17/31 = 6.580…
        (SINCE, date(2026, 3, 10), "3.87", "10/31"),  # 3.870…
        (date(2026, 3, 2), date(2026, 3, 2), "0.39", "1/31"),  # 0.387…
        (date(2026, 3, 10), date(2026, 3, 24), "5.81", "15/31"),  # 5.806…
        (SINCE, date(2026, 3, 30), "11.61", "30/31"),  # 11.612…
    ],
)
def test_a_partial_month_is_billed_pro_rata_of_its_days(
    start: date, end: date | None, amount: str, note: str
) -> None:
    (line,) = bill(client(box(start=start, end=end))).lines
    assert (line.quantity, line.unit_price, line.amount) == (D("1"), D(amount), D(amount))
    assert line.description.endswith(f"(prorata {note} jours)")
    assert (line.period_start, line.period_end) == (max(start, MARCH.first), end or MARCH.last)


def test_pro_rata_of_a_leap_february() -> None:
    (line,) = bill(client(box(start=date(2028, 2, 15))), FEBRUARY_LEAP).lines
    assert line.amount == D("6.21") and line.description.endswith("(prorata 15/29 jours)")


def test_half_a_cent_is_rounded_up() -> None:
    """1.03 × 15/30 = 0.515 exactly → 0.52 (half-up, not half-even)."""
    april = Month.of(date(2026, 4, 1))
    (line,) = bill(client(box(plan=CHEAP_PLAN, start=date(2026, 4, 16))), april).lines
    assert line.amount == D("0.52")


def test_accounts_outside_the_month_or_of_a_cancelled_contract_are_not_billed() -> None:
    assert bill_client(client(box(start=date(2026, 4, 1))), MARCH, CATALOGUE) is None
    assert bill_client(client(box(end=date(2026, 2, 28))), MARCH, CATALOGUE) is None
    assert bill_client(client(box(contract=99)), MARCH, CATALOGUE) is None


def test_the_price_is_the_one_of_the_first_billed_day() -> None:
    history = (
        PricePoint(SINCE, date(2026, 3, 10), D("10.00")),
        PricePoint(date(2026, 3, 10), None, D("31.00")),
    )
    catalogue = Catalogue({PLAN: PlanTerms("P", None, history)}, {}, D("20.00"))
    full = bill_client(client(box()), MARCH, catalogue)
    late = bill_client(client(box(start=date(2026, 3, 12))), MARCH, catalogue)
    assert full is not None and late is not None
    assert (full.lines[0].amount, late.lines[0].amount) == (D("10.00"), D("20.00"))


def test_a_missing_price_is_refused() -> None:
    catalogue = Catalogue({PLAN: PlanTerms("P", None, ())}, {}, D("20.00"))
    with pytest.raises(MissingPrice, match="« P » au 01/03/2026"):
        bill_client(client(box()), MARCH, catalogue)


# --- options ----------------------------------------------------------------------------


def option(
    option_id: int,
    start: date,
    end: date | None = None,
    *,
    quantity: str = "1",
    mailbox: Account | None = None,
    sub_id: int = 500,
) -> Subscription:
    if mailbox is None:
        return Subscription(sub_id, option_id, 1, D(quantity), Interval(start, end))
    return Subscription(
        sub_id, option_id, 1, D(quantity), Interval(start, end),
        mailbox.mailbox_id, mailbox.address, mailbox.active,
    )  # fmt: skip


def test_a_monthly_option_follows_its_mailbox_and_is_pro_rata() -> None:
    account = box(end=date(2026, 3, 20))
    sub = option(ARCHIVE, date(2026, 3, 6), quantity="2.5", mailbox=account)
    _, line = bill(client(account, subscriptions=(sub,))).lines
    # 6th–20th: 15/31 × 2.00 = 0.967… → 0.97 per unit, × 2.5 = 2.425 → 2.43
    assert (line.kind, line.quantity, line.unit_price, line.amount) == (
        InvoiceLineKind.OPTION, D("2.5"), D("0.97"), D("2.43")
    )  # fmt: skip
    assert line.description == "Archivage — jean@exemple.fr — mars 2026 (prorata 15/31 jours)"
    assert (line.period_start, line.period_end) == (date(2026, 3, 6), date(2026, 3, 20))
    assert (line.subscribed_option_id, line.option_id, line.mailbox_id) == (500, ARCHIVE, 100)


def test_a_monthly_option_of_a_mailbox_never_activated_is_not_billed() -> None:
    sub = Subscription(500, ARCHIVE, 1, D("1"), Interval(SINCE), 100, "jean@exemple.fr", None)
    assert bill_client(client(subscriptions=(sub,)), MARCH, CATALOGUE) is None


def test_a_monthly_option_on_the_contract_bills_the_whole_month() -> None:
    (line,) = bill(client(subscriptions=(option(ARCHIVE, SINCE, quantity="3"),))).lines
    assert (line.amount, line.mailbox_id) == (D("6.00"), None)
    assert line.description == "Archivage — contrat C2026-00002 — mars 2026"


@pytest.mark.parametrize(
    ("start", "month", "due"),
    [
        (date(2025, 3, 20), date(2026, 3, 1), date(2026, 3, 20)),
        (date(2026, 3, 31), date(2026, 3, 1), date(2026, 3, 31)),
        (date(2024, 2, 29), date(2025, 2, 1), date(2025, 2, 28)),
        (date(2024, 2, 29), date(2028, 2, 1), date(2028, 2, 29)),  # anchored, not chained
        (date(2025, 3, 20), date(2026, 4, 1), None),
        (date(2027, 3, 20), date(2026, 3, 1), None),
    ],
)
def test_yearly_due_dates(start: date, month: date, due: date | None) -> None:
    assert yearly_due(start, Month.of(month)) == due


def test_a_yearly_option_is_billed_whole_for_the_year_it_starts() -> None:
    sub = option(DOMAIN, date(2025, 3, 31), date(2026, 3, 31), quantity="2")
    (line,) = bill(client(subscriptions=(sub,))).lines
    assert (line.unit_price, line.amount) == (D("15.00"), D("30.00"))
    assert (line.period_start, line.period_end) == (date(2026, 3, 31), date(2027, 3, 30))
    assert line.description.endswith("— du 31/03/2026 au 30/03/2027")
    ended = option(DOMAIN, date(2025, 3, 31), date(2026, 3, 30))
    assert bill_client(client(subscriptions=(ended,)), MARCH, CATALOGUE) is None


def test_a_yearly_option_of_a_mailbox_needs_the_mailbox_on_its_anniversary() -> None:
    gone = box(end=date(2026, 3, 10))
    sub = option(DOMAIN, date(2025, 3, 20), mailbox=gone)
    lines = bill(client(gone, subscriptions=(sub,))).lines
    assert [line.kind for line in lines] == [InvoiceLineKind.SUBSCRIPTION]


@given(
    start=st.dates(date(2000, 1, 1), date(2040, 12, 31)),
    months=st.integers(0, 240),
)
def test_a_yearly_option_is_due_once_every_twelve_months(start: date, months: int) -> None:
    month = Month.of(add_months(start.replace(day=1), months))
    due = yearly_due(start, month)
    if months % 12:
        assert due is None
    else:
        assert due == add_months(start, months) and month.first <= due <= month.last


@pytest.mark.parametrize(
    ("option_id", "kind", "vat"),
    [
        (FEE, InvoiceLineKind.INITIAL_FEE, D("20.00")),
        (MIGRATION, InvoiceLineKind.SERVICE, D("5.50")),
        (RESTORE, InvoiceLineKind.OPTION, D("20.00")),
    ],
)
def test_per_act_options_take_their_kind_from_their_category(
    option_id: int, kind: InvoiceLineKind, vat: Decimal
) -> None:
    sub = option(option_id, date(2026, 2, 27))
    (line,) = bill(client(subscriptions=(sub,))).lines
    assert (line.kind, line.vat_rate, line.period_start, line.period_end) == (
        kind, vat, date(2026, 2, 27), date(2026, 2, 27)
    )  # fmt: skip
    assert line.description.endswith("— contrat C2026-00002 — 27/02/2026")


def test_a_per_act_option_waits_for_the_month_of_its_date() -> None:
    sub = option(MIGRATION, date(2026, 4, 1), quantity="3")
    assert bill_client(client(subscriptions=(sub,)), MARCH, CATALOGUE) is None
    (line,) = bill(client(subscriptions=(sub,)), Month.of(date(2026, 4, 1))).lines
    assert line.amount == D("75.00")


# --- the invoice ------------------------------------------------------------------------


def test_lines_are_ordered_by_contract_then_accounts_then_options() -> None:
    zoe, alice = box(1, address="zoe@exemple.fr"), box(2, address="alice@exemple.fr")
    bob = box(3, address="bob@exemple.fr", contract=2)
    subs = (
        option(MIGRATION, date(2026, 3, 2), sub_id=1),
        option(ARCHIVE, SINCE, mailbox=zoe, sub_id=2),
        option(ARCHIVE, SINCE, mailbox=alice, sub_id=3),
        option(ARCHIVE, SINCE, sub_id=4),
    )
    draft = bill(client(zoe, alice, bob, subscriptions=subs, contracts=(CONTRACT, OLD_CONTRACT)))
    assert [(line.mailbox_id, line.subscribed_option_id) for line in draft.lines] == [
        (3, None), (2, None), (1, None), (None, 4), (2, 3), (1, 2), (None, 1)
    ]  # fmt: skip


def test_vat_is_totalled_per_rate() -> None:
    accounts = [box(i, plan=CHEAP_PLAN, address=f"u{i}@exemple.fr") for i in range(3)]
    draft = bill(client(*accounts, box(9), subscriptions=(option(MIGRATION, MARCH.first),)))
    totals = draft.totals
    # 20 %: 12.00 → 2.40; 5.5 %: 3 × 1.03 + 25.00 = 28.09 → 1.54495 → 1.54
    assert [(t.rate, t.base, t.vat) for t in totals.by_rate] == [
        (D("20.00"), D("12.00"), D("2.40")), (D("5.50"), D("28.09"), D("1.54"))
    ]  # fmt: skip
    assert (totals.excl_vat, totals.vat, totals.incl_vat) == (D("40.09"), D("3.94"), D("44.03"))


def test_renewal_and_payment_method_come_from_the_billed_contracts() -> None:
    new_only = bill(client(box()))
    with_old = bill(client(box(), box(2, contract=2), contracts=(CONTRACT, OLD_CONTRACT)))
    old_only = bill(client(box(contract=2), contracts=(CONTRACT, OLD_CONTRACT)))
    assert (new_only.is_renewal, with_old.is_renewal) == (False, True)
    # The initial order is paid the client's or the contract's way (HE §9.2); a renewal
    # alone by direct debit (HE §9.3); a mixed invoice stays with the initial order's way.
    assert new_only.payment_method is PaymentMethod.TRANSFER
    assert with_old.payment_method is PaymentMethod.TRANSFER
    assert old_only.payment_method is PaymentMethod.SEPA_DEBIT
    # A client set to direct debit still pays its initial order by transfer (or the way
    # its contract says): SEPA only applies once renewed.
    own = bill(client(box(), payment_method=PaymentMethod.SEPA_DEBIT))
    assert own.payment_method is PaymentMethod.TRANSFER
    own_renewed = bill(
        client(box(contract=2), contracts=(CONTRACT, OLD_CONTRACT),
               payment_method=PaymentMethod.SEPA_DEBIT)
    )  # fmt: skip
    assert own_renewed.payment_method is PaymentMethod.SEPA_DEBIT
    by_cheque = ContractTerms(1, "C2026-00002", PaymentMethod.CHEQUE, date(2026, 1, 1), 12)
    unset = ContractTerms(1, "C2026-00002", None, date(2026, 1, 1), 12)
    for terms, expected in ((by_cheque, PaymentMethod.CHEQUE), (unset, PaymentMethod.TRANSFER)):
        draft = bill(client(box(), contracts=(terms,), payment_method=PaymentMethod.SEPA_DEBIT))
        assert draft.payment_method is expected
    assert bill(client(box(), contracts=(unset,))).payment_method is None
    public = bill(
        client(box(contract=2), contracts=(CONTRACT, OLD_CONTRACT),
               payment_method=PaymentMethod.ADMINISTRATIVE_MANDATE)
    )  # fmt: skip
    assert public.payment_method is PaymentMethod.ADMINISTRATIVE_MANDATE


def test_a_contract_renews_on_the_day_its_initial_period_ends() -> None:
    terms = ContractTerms(1, "C", None, date(2025, 3, 1), 12)
    assert terms.renewed_by(date(2026, 3, 1)) and not terms.renewed_by(date(2026, 2, 28))
    assert not ContractTerms(1, "C", None, None, 12).renewed_by(date(2030, 1, 1))
