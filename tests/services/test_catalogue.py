"""The catalogue service: price history kept contiguous, invoices keep their prices, VAT."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Plan
from desktop.domain.enums import MailboxKind, OptionBilling, OptionCategory
from desktop.domain.errors import ValidationError
from desktop.errors import ConflictError
from desktop.services import catalogue as cat
from desktop.services.billing_run import run_billing
from tests.services import billing_helpers as h
from tests.services.billing_helpers import APRIL, LONG_AGO, MARCH, D
from tests.services.factories import ACTOR

TODAY = date(2026, 3, 2)
MAY = date(2026, 5, 1)
JUNE = date(2026, 6, 1)


@pytest.fixture
def line(db: Database) -> int:
    h.provider(db)
    return h.product_line(db)


@pytest.fixture
def plan(db: Database, line: int) -> int:
    return h.plan(db, line, prices=((LONG_AGO, "12.00"), (MAY, "14.00")))


def history(db: Database, plan_id: int) -> list[tuple[Decimal, date, date | None]]:
    found = next(p for p in cat.catalogue(db, TODAY).plans if p.id == plan_id)
    return [(price.amount, price.valid_from, price.valid_to) for price in found.prices]


def add(db: Database, plan_id: int, amount: str, start: date, **kwargs: object) -> cat.PriceRow:
    kwargs.setdefault("today", TODAY)
    return cat.add_price(
        db,
        plan_id=plan_id,
        amount=D(amount),
        valid_from=start,
        actor=ACTOR,
        **kwargs,  # type: ignore[arg-type]
    )


def errors_of(action: object) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        action()  # type: ignore[operator]
    return info.value.errors


# --- reading ----------------------------------------------------------------------------


def test_the_catalogue_lists_lines_plans_options_with_prices_and_vat(
    db: Database, line: int, plan: int
) -> None:
    fee = h.option(
        db,
        "Mise en service",
        OptionBilling.PER_ACT,
        ((LONG_AGO, "50.00"),),
        category=OptionCategory.INITIAL_FEE,
        vat_rate=D("10.00"),
    )

    found = cat.catalogue(db, TODAY)

    assert [pl.name for pl in found.product_lines] == ["Hosted Exchange"]
    (row,) = found.product_lines[0].plans
    assert (row.id, row.code, row.name, row.quota_gb, row.active) == (
        plan,
        "EXCHANGE-50-GO",
        "Exchange 50 Go",
        50,
        True,
    )
    assert (row.vat_rate, row.effective_vat_rate, row.current_price) == (
        None,
        D("20.00"),
        D("12.00"),
    )
    assert row.product_line_name == "Hosted Exchange"
    assert [(p.amount, p.valid_from, p.valid_to) for p in row.prices] == [
        (D("12.00"), LONG_AGO, MAY),
        (D("14.00"), MAY, None),
    ]
    assert cat.catalogue(db, MAY).plans[0].current_price == D("14.00")
    (option,) = found.options
    assert (option.id, option.category, option.billing) == (
        fee,
        OptionCategory.INITIAL_FEE,
        OptionBilling.PER_ACT,
    )
    assert (option.vat_rate, option.effective_vat_rate, option.current_price) == (
        D("10.00"),
        D("10.00"),
        D("50.00"),
    )
    assert option.product_line_name is None


# --- prices -----------------------------------------------------------------------------


def test_a_price_at_the_end_closes_the_running_one(db: Database, plan: int) -> None:
    added = add(db, plan, "15.50", JUNE)

    assert (added.amount, added.valid_from, added.valid_to) == (D("15.50"), JUNE, None)
    assert history(db, plan) == [
        (D("12.00"), LONG_AGO, MAY),
        (D("14.00"), MAY, JUNE),
        (D("15.50"), JUNE, None),
    ]


def test_a_price_in_the_middle_keeps_the_history_contiguous(db: Database, plan: int) -> None:
    added = add(db, plan, "13", APRIL)

    assert (added.valid_from, added.valid_to) == (APRIL, MAY)
    assert history(db, plan) == [
        (D("12.00"), LONG_AGO, APRIL),
        (D("13.00"), APRIL, MAY),
        (D("14.00"), MAY, None),
    ]


def test_a_price_before_the_first_ends_where_the_first_starts(db: Database, line: int) -> None:
    plan_id = h.plan(db, line, prices=((MAY, "14.00"),))

    add(db, plan_id, "0", APRIL)

    assert history(db, plan_id) == [(D("0.00"), APRIL, MAY), (D("14.00"), MAY, None)]


def test_a_price_already_starting_that_day_is_refused(db: Database, plan: int) -> None:
    errors = errors_of(lambda: add(db, plan, "15.00", MAY))

    assert errors["valid_from"].startswith("Un tarif commence déjà le 01/05/2026 : 14,00\u00a0€ HT")
    assert len(history(db, plan)) == 2


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (D("-1"), "La valeur ne peut pas être négative."),
        (D("12.505"), "Deux décimales au maximum."),
        (D("NaN"), "Nombre décimal attendu."),
        (12.5, "Nombre décimal attendu."),
    ],
)
def test_a_wrong_amount_is_refused(db: Database, plan: int, amount: object, message: str) -> None:
    errors = errors_of(
        lambda: cat.add_price(
            db,
            plan_id=plan,
            amount=amount,  # type: ignore[arg-type]
            valid_from=JUNE,
            actor=ACTOR,
            today=TODAY,
        )
    )

    assert errors == {"amount": message}
    assert len(history(db, plan)) == 2


def test_exactly_one_of_plan_and_option(db: Database, plan: int) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        cat.add_price(db, amount=D("1"), valid_from=JUNE, actor=ACTOR)


def test_a_new_price_bumps_the_plan_version(db: Database, plan: int) -> None:
    before = cat.catalogue(db, TODAY).plans[0].version

    add(db, plan, "15.00", JUNE)

    assert cat.catalogue(db, TODAY).plans[0].version == before + 1


# --- invoices keep their prices ---------------------------------------------------------


def test_a_past_start_used_by_an_issued_invoice_is_refused(db: Database, line: int) -> None:
    plan_id = h.plan(db, line)
    acme = h.customer(db, line)
    h.account(db, acme, "jean.dupont", plan_id)
    run_billing(db, MARCH, actor=ACTOR, today=TODAY, issue=True)
    (march,) = h.invoices(db, MARCH)
    assert march.number is not None

    errors = errors_of(lambda: add(db, plan_id, "15.00", date(2026, 3, 15), today=APRIL))

    assert errors["valid_from"].startswith(
        f"Des factures émises utilisent déjà le tarif en vigueur à cette date : {march.number}."
    )
    assert "après le 31/03/2026" in errors["valid_from"]
    assert history(db, plan_id) == [(D("12.00"), LONG_AGO, None)]

    # From April on no invoice used it: the new price applies to April, March keeps its own.
    add(db, plan_id, "15.00", APRIL, today=APRIL)
    run_billing(db, APRIL, actor=ACTOR, today=APRIL, issue=True)

    assert h.only_invoice(db, APRIL).lines[0].unit_price == D("15.00")
    assert h.only_invoice(db, MARCH) == march
    assert h.only_invoice(db, MARCH).lines[0].unit_price == D("12.00")


def test_a_past_start_no_issued_invoice_used_is_allowed(db: Database, line: int) -> None:
    plan_id = h.plan(db, line)
    acme = h.customer(db, line)
    h.account(db, acme, "jean.dupont", plan_id)
    run_billing(db, MARCH, actor=ACTOR, today=TODAY, issue=False)  # a draft only

    add(db, plan_id, "11.00", date(2026, 2, 1), today=TODAY)

    assert history(db, plan_id) == [
        (D("12.00"), LONG_AGO, date(2026, 2, 1)),
        (D("11.00"), date(2026, 2, 1), None),
    ]


def test_an_option_price_used_by_an_issued_invoice_is_kept(db: Database, line: int) -> None:
    plan_id = h.plan(db, line)
    archive = h.option(db, "Archivage", OptionBilling.MONTHLY, ((LONG_AGO, "2.00"),))
    acme = h.customer(db, line)
    box = h.account(db, acme, "jean.dupont", plan_id)
    h.subscribe(db, archive, date(2025, 6, 1), mailbox_id=box)
    run_billing(db, MARCH, actor=ACTOR, today=TODAY, issue=True)

    errors = errors_of(
        lambda: cat.add_price(
            db, option_id=archive, amount=D("3"), valid_from=MARCH, actor=ACTOR, today=APRIL
        )
    )

    assert "Des factures émises" in errors["valid_from"]
    cat.add_price(db, option_id=archive, amount=D("3"), valid_from=APRIL, actor=ACTOR, today=APRIL)
    run_billing(db, APRIL, actor=ACTOR, today=APRIL, issue=True)
    assert D("3.00") in [line.unit_price for line in h.only_invoice(db, APRIL).lines]


# --- VAT --------------------------------------------------------------------------------


def test_a_vat_rate_is_set_then_cleared_and_used_by_the_next_run(db: Database, line: int) -> None:
    plan_id = h.plan(db, line)
    acme = h.customer(db, line)
    h.account(db, acme, "jean.dupont", plan_id)
    version = cat.catalogue(db, TODAY).plans[0].version

    row = cat.set_vat_rate(db, plan_id=plan_id, rate=D("10"), expected_version=version, actor=ACTOR)

    assert (row.vat_rate, row.effective_vat_rate, row.version) == (
        D("10.00"),
        D("10.00"),
        version + 1,
    )
    run_billing(db, MARCH, actor=ACTOR, today=TODAY, issue=True)
    assert h.only_invoice(db, MARCH).lines[0].vat_rate == D("10.00")

    cleared = cat.set_vat_rate(
        db, plan_id=plan_id, rate=None, expected_version=row.version, actor=ACTOR
    )

    assert (cleared.vat_rate, cleared.effective_vat_rate) == (None, D("20.00"))
    assert cleared.uses_default_vat
    run_billing(db, APRIL, actor=ACTOR, today=APRIL, issue=True)
    assert h.only_invoice(db, APRIL).lines[0].vat_rate == D("20.00")
    assert h.only_invoice(db, MARCH).lines[0].vat_rate == D("10.00")


@pytest.mark.parametrize(
    ("rate", "message"),
    [
        (D("-1"), "La valeur ne peut pas être négative."),
        (D("100.01"), "Un taux de TVA ne dépasse pas 100 %."),
        (D("5.555"), "Deux décimales au maximum."),
    ],
)
def test_a_wrong_vat_rate_is_refused(db: Database, plan: int, rate: Decimal, message: str) -> None:
    errors = errors_of(
        lambda: cat.set_vat_rate(db, plan_id=plan, rate=rate, expected_version=1, actor=ACTOR)
    )

    assert errors == {"vat_rate": message}


def test_a_stale_version_is_refused(db: Database, plan: int) -> None:
    version = cat.catalogue(db, TODAY).plans[0].version
    cat.set_vat_rate(db, plan_id=plan, rate=D("5.5"), expected_version=version, actor="autre")

    with pytest.raises(ConflictError) as info:
        cat.set_vat_rate(db, plan_id=plan, rate=D("10"), expected_version=version, actor=ACTOR)

    assert info.value.message.startswith("Cette formule a été modifiée par autre le ")
    assert cat.catalogue(db, TODAY).plans[0].vat_rate == D("5.50")
    with pytest.raises(ConflictError):
        cat.set_active(db, plan_id=plan, active=False, expected_version=version, actor=ACTOR)


# --- activity, new plans and options ----------------------------------------------------


def test_a_plan_is_deactivated_then_activated(db: Database, plan: int) -> None:
    version = cat.catalogue(db, TODAY).plans[0].version

    row = cat.set_active(db, plan_id=plan, active=False, expected_version=version, actor=ACTOR)

    assert not row.active
    with db.read_session() as session:
        assert session.scalar(sa.select(Plan.active).where(Plan.id == plan)) is False
    again = cat.set_active(db, plan_id=plan, active=True, expected_version=row.version, actor=ACTOR)
    assert again.active


def test_a_plan_is_created_with_its_first_price(db: Database, line: int) -> None:
    row = cat.create_plan(
        db,
        product_line_id=line,
        code=" hex-100 ",
        name="Exchange 100 Go",
        quota_gb=100,
        mailbox_kind=MailboxKind.SHARED,
        amount=D("9.90"),
        valid_from=MARCH,
        actor=ACTOR,
    )

    assert (row.code, row.name, row.quota_gb, row.mailbox_kind) == (
        "HEX-100",
        "Exchange 100 Go",
        100,
        MailboxKind.SHARED,
    )
    assert [(p.amount, p.valid_from, p.valid_to) for p in row.prices] == [(D("9.90"), MARCH, None)]
    assert [p.code for p in cat.catalogue(db, TODAY).plans] == ["HEX-100"]


def test_a_plan_with_a_taken_code_or_wrong_fields_is_refused(db: Database, plan: int) -> None:
    line = cat.catalogue(db, TODAY).product_lines[0].id

    errors = errors_of(
        lambda: cat.create_plan(
            db,
            product_line_id=line,
            code="exchange-50-go",
            name=" ",
            quota_gb=0,
            amount=D("1.001"),
            valid_from=MARCH,
            actor=ACTOR,
        )
    )

    assert errors == {
        "code": "Ce code est déjà utilisé par une autre formule : choisissez-en un autre.",
        "name": "Indiquez le nom.",
        "quota_gb": "Quota en Go attendu : un nombre entier de 1 à 100000.",
        "amount": "Deux décimales au maximum.",
    }
    assert len(cat.catalogue(db, TODAY).plans) == 1


def test_an_option_is_created_for_every_line(db: Database, line: int) -> None:
    row = cat.create_option(
        db,
        code="FORM-2H",
        name="Formation 2 heures",
        category=OptionCategory.SERVICE,
        billing=OptionBilling.PER_ACT,
        vat_rate=D("20"),
        amount=D("180"),
        valid_from=MARCH,
        actor=ACTOR,
    )

    assert (row.category, row.billing, row.product_line_id, row.vat_rate) == (
        OptionCategory.SERVICE,
        OptionBilling.PER_ACT,
        None,
        D("20.00"),
    )
    assert row.current_price == D("180.00")
    errors = errors_of(
        lambda: cat.create_option(
            db,
            code="form-2h",
            name="Encore",
            category=OptionCategory.SERVICE,
            billing=OptionBilling.PER_ACT,
            amount=D("1"),
            valid_from=MARCH,
            actor=ACTOR,
        )
    )
    assert errors == {
        "code": "Ce code est déjà utilisé par une autre option : choisissez-en un autre."
    }
