"""Months missed: an account activated (or an option started) after its month's run is on
the next invoice, pro rata of its days in that month, once (business rules §5)."""

from __future__ import annotations

from datetime import date

import pytest

from desktop.db.engine import Database
from desktop.domain.enums import OptionBilling
from desktop.services import billing_run
from desktop.services.billing_run import run_billing
from tests.services import billing_helpers as h
from tests.services.billing_helpers import APRIL, MARCH, Customer, D
from tests.services.factories import ACTOR

MAY = date(2026, 5, 1)


def run(db: Database, month: date) -> billing_run.BillingReport:
    return run_billing(db, month, actor=ACTOR, today=month, issue=False)


@pytest.fixture
def line(db: Database) -> int:
    h.provider(db)
    return h.product_line(db)


@pytest.fixture
def plan(db: Database, line: int) -> int:
    return h.plan(db, line)


@pytest.fixture
def acme(db: Database, line: int, plan: int) -> Customer:
    """A client with one account since June 2025, billed for March 2026."""
    who = h.customer(db, line)
    h.account(db, who, "ancien", plan)
    assert run(db, MARCH).invoices_created == 1
    return who


def described(db: Database, month: date) -> list[tuple[str, D, tuple[date | None, date | None]]]:
    return [
        (line.description, line.amount, line.period) for line in h.only_invoice(db, month).lines
    ]


def test_an_account_opened_after_the_run_is_billed_on_the_next_invoice(
    db: Database, acme: Customer, plan: int
) -> None:
    assert [line.description for line in h.only_invoice(db, MARCH).lines] == [
        "Boîte ancien@exemple.fr — Exchange 50 Go — mars 2026"
    ]  # the client had no invoice before March: nothing back-billed
    late = h.account(db, acme, "nouveau", plan, activated_on=date(2026, 3, 15))
    assert run(db, MARCH).invoices_created == 0  # March stays as issued

    assert run(db, APRIL).invoices_created == 1
    assert described(db, APRIL) == [
        ("Boîte ancien@exemple.fr — Exchange 50 Go — avril 2026", D("12.00"),
         (APRIL, date(2026, 4, 30))),
        ("Boîte nouveau@exemple.fr — Exchange 50 Go — mars 2026 (prorata 17/31 jours)",
         D("6.58"), (date(2026, 3, 15), date(2026, 3, 31))),
        ("Boîte nouveau@exemple.fr — Exchange 50 Go — avril 2026", D("12.00"),
         (APRIL, date(2026, 4, 30))),
    ]  # fmt: skip
    april = h.only_invoice(db, APRIL)
    assert april.totals == (D("30.58"), D("6.12"), D("36.70"))
    assert [line.mailbox_id for line in april.lines][1:] == [late, late]

    assert run(db, APRIL).invoices_created == 0
    assert run(db, MAY).invoices_created == 1
    assert [line.description for line in h.only_invoice(db, MAY).lines] == [
        "Boîte ancien@exemple.fr — Exchange 50 Go — mai 2026",
        "Boîte nouveau@exemple.fr — Exchange 50 Go — mai 2026",
    ]  # March's days once only


def test_an_account_opened_and_closed_within_a_billed_month(
    db: Database, acme: Customer, plan: int
) -> None:
    h.account(db, acme, "passage", plan, activated_on=date(2026, 3, 15), ends_on=date(2026, 3, 25))
    run(db, APRIL)
    assert described(db, APRIL)[1] == (
        "Boîte passage@exemple.fr — Exchange 50 Go — mars 2026 (prorata 11/31 jours)",
        D("4.26"),
        (date(2026, 3, 15), date(2026, 3, 25)),
    )
    assert len(described(db, APRIL)) == 2


def test_options_started_after_the_run(db: Database, acme: Customer, plan: int) -> None:
    archive = h.option(db, "Archivage", OptionBilling.MONTHLY, ((h.LONG_AGO, "2.00"),))
    antivirus = h.option(db, "Antivirus", OptionBilling.YEARLY, ((h.LONG_AGO, "24.00"),))
    h.subscribe(db, archive, date(2026, 3, 20), contract_id=acme.contract_id)
    h.subscribe(db, antivirus, date(2026, 3, 10), contract_id=acme.contract_id)
    box = h.account(db, acme, "nouveau", plan, activated_on=date(2026, 3, 29))
    h.subscribe(db, archive, date(2026, 1, 1), mailbox_id=box)  # ordered before, opened late

    run(db, APRIL)

    assert described(db, APRIL) == [
        ("Boîte ancien@exemple.fr — Exchange 50 Go — avril 2026", D("12.00"),
         (APRIL, date(2026, 4, 30))),
        ("Boîte nouveau@exemple.fr — Exchange 50 Go — mars 2026 (prorata 3/31 jours)",
         D("1.16"), (date(2026, 3, 29), date(2026, 3, 31))),
        ("Boîte nouveau@exemple.fr — Exchange 50 Go — avril 2026", D("12.00"),
         (APRIL, date(2026, 4, 30))),
        ("Antivirus — contrat C2025-00001 — du 10/03/2026 au 09/03/2027", D("24.00"),
         (date(2026, 3, 10), date(2027, 3, 9))),
        ("Archivage — contrat C2025-00001 — mars 2026 (prorata 12/31 jours)", D("0.77"),
         (date(2026, 3, 20), date(2026, 3, 31))),
        ("Archivage — contrat C2025-00001 — avril 2026", D("2.00"),
         (APRIL, date(2026, 4, 30))),
        ("Archivage — nouveau@exemple.fr — mars 2026 (prorata 3/31 jours)", D("0.19"),
         (date(2026, 3, 29), date(2026, 3, 31))),
        ("Archivage — nouveau@exemple.fr — avril 2026", D("2.00"),
         (APRIL, date(2026, 4, 30))),
    ]  # fmt: skip
    run(db, MAY)
    may = described(db, MAY)
    assert [amount for _, amount, _ in may] == [D("12.00"), D("12.00"), D("2.00"), D("2.00")]
