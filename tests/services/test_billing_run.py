"""The monthly billing run on a real database: amounts, idempotence, interruptions, speed path."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from desktop.db.engine import Database
from desktop.db.models import Client, Invoice, Price
from desktop.domain.enums import (
    ClientStatus,
    ContractStatus,
    InvoiceKind,
    InvoiceStatus,
    MailboxStatus,
    OptionBilling,
    OptionCategory,
    PaymentMethod,
)
from desktop.errors import UserError
from desktop.services import billing_run
from desktop.services.billing_run import month_of, preview_billing, run_billing
from tests.services import billing_helpers as h
from tests.services.billing_helpers import APRIL, MARCH, Customer, D
from tests.services.factories import ACTOR

TODAY = date(2026, 3, 2)


def run(db: Database, month: date = MARCH, **kwargs: object) -> billing_run.BillingReport:
    kwargs.setdefault("today", TODAY)
    kwargs.setdefault("issue", False)
    return run_billing(db, month, actor=ACTOR, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def line(db: Database) -> int:
    h.provider(db)
    return h.product_line(db)


@pytest.fixture
def plan(db: Database, line: int) -> int:
    return h.plan(db, line)


@pytest.fixture
def acme(db: Database, line: int) -> Customer:
    return h.customer(db, line)


# --- accounts ---------------------------------------------------------------------------


def test_a_full_month_is_issued_with_every_account(db: Database, acme: Customer, plan: int) -> None:
    small = h.plan(db, acme.line_id, "Exchange 5 Go", ((h.LONG_AGO, "3.90"),))
    h.account(db, acme, "jean.dupont", plan)
    h.account(db, acme, "anne.martin", small)

    report = run(db, issue=True)

    invoice = h.only_invoice(db, MARCH)
    assert report.invoices_created == report.clients_billed == 1
    assert report.numbers == ("F2026-000001",) == (invoice.number,)
    assert (report.total_excl_vat, report.total_incl_vat) == (D("15.90"), D("19.08"))
    assert invoice.status == InvoiceStatus.ISSUED
    assert invoice.period == (MARCH, date(2026, 3, 31))
    assert invoice.totals == (D("15.90"), D("3.18"), D("19.08"))
    assert invoice.payment_method is PaymentMethod.TRANSFER  # the contract's
    assert [line.description for line in invoice.lines] == [
        "Boîte anne.martin@exemple.fr — Exchange 5 Go — mars 2026",
        "Boîte jean.dupont@exemple.fr — Exchange 50 Go — mars 2026",
    ]
    first = invoice.lines[0]
    assert (first.position, first.kind, first.quantity) == (1, "subscription", D("1.000"))
    assert (first.unit_price, first.amount, first.vat_rate) == (D("3.90"), D("3.90"), D("20.00"))
    assert first.period == (MARCH, date(2026, 3, 31))


def test_mid_month_activation_is_billed_pro_rata(db: Database, acme: Customer, plan: int) -> None:
    box = h.account(db, acme, "jean.dupont", plan, activated_on=date(2026, 3, 15))

    run(db)

    (line,) = h.only_invoice(db).lines
    assert line.description == (
        "Boîte jean.dupont@exemple.fr — Exchange 50 Go — mars 2026 (prorata 17/31 jours)"
    )
    assert (line.quantity, line.unit_price, line.amount) == (D("1.000"), D("6.58"), D("6.58"))
    assert line.period == (date(2026, 3, 15), date(2026, 3, 31))
    assert line.mailbox_id == box


def test_an_account_that_ends_mid_month_is_billed_to_its_end(
    db: Database, acme: Customer, plan: int
) -> None:
    h.account(
        db, acme, "a.non-renewed", plan,
        status=MailboxStatus.NON_RENEWAL_REQUESTED, ends_on=date(2026, 3, 10),
    )  # fmt: skip
    h.account(db, acme, "b.shortened", plan, ends_on=date(2026, 5, 31), override=date(2026, 3, 5))
    h.account(db, acme, "c.suspended", plan, status=MailboxStatus.SUSPENDED)
    h.account(
        db, acme, "d.terminated", plan,
        status=MailboxStatus.TERMINATED, ends_on=date(2026, 3, 20),
    )  # fmt: skip
    h.account(db, acme, "e.gone", plan, status=MailboxStatus.DELETED, ends_on=date(2026, 2, 28))

    run(db)

    lines = h.only_invoice(db).lines
    assert [line.amount for line in lines] == [D("3.87"), D("1.94"), D("12.00"), D("7.74")]
    assert [line.period[1] for line in lines] == [
        date(2026, 3, 10), date(2026, 3, 5), date(2026, 3, 31), date(2026, 3, 20)
    ]  # fmt: skip
    assert lines[1].description.endswith("(prorata 5/31 jours)")


def test_requested_accounts_are_not_billed_and_nothing_billable_makes_no_invoice(
    db: Database, acme: Customer, plan: int
) -> None:
    h.account(db, acme, "jean", plan, status=MailboxStatus.REQUESTED, activated_on=None)
    h.account(db, acme, "later", plan, activated_on=date(2026, 4, 1))

    report = run(db)
    preview = preview_billing(db, MARCH)

    assert h.invoices(db) == []
    assert (report.invoices_created, report.clients_billed, report.numbers) == (0, 0, ())
    assert report.total_incl_vat == D("0.00")
    assert (preview.clients, preview.total_incl_vat) == (0, D("0.00"))


def test_an_empty_database_bills_nothing(db: Database) -> None:
    report = run(db, issue=True)
    assert (report.invoices_created, report.already_billed, report.cancelled) == (0, 0, False)


def test_the_price_valid_on_the_first_billed_day_is_copied(
    db: Database, acme: Customer, line: int
) -> None:
    history = ((h.LONG_AGO, "10.00"), (MARCH, "12.00"), (date(2026, 3, 20), "14.00"))
    plan = h.plan(db, line, "Exchange 50 Go", history)
    h.account(db, acme, "jean", plan)
    h.account(db, acme, "late", plan, activated_on=date(2026, 3, 25))

    run(db, date(2026, 2, 1))
    run(db, MARCH)
    with db.session_scope() as session:  # a later catalogue change
        session.execute(sa.update(Price).values(amount_excl_vat=D("99.00")))

    assert h.only_invoice(db, date(2026, 2, 1)).amounts == [D("10.00")]
    # 14.00 from the 25th (its first day) × 7/31 = 3.16
    assert h.only_invoice(db, MARCH).amounts == [D("12.00"), D("3.16")]


# --- options ----------------------------------------------------------------------------


def test_a_monthly_option_is_billed_pro_rata_per_unit(
    db: Database, acme: Customer, plan: int
) -> None:
    archive = h.option(db, "Archivage", OptionBilling.MONTHLY, ((h.LONG_AGO, "2.00"),))
    box = h.account(db, acme, "jean", plan, ends_on=date(2026, 3, 25))
    on_box = h.subscribe(db, archive, date(2026, 3, 11), mailbox_id=box, quantity="3")
    on_contract = h.subscribe(db, archive, date(2026, 1, 1), contract_id=acme.contract_id)

    run(db)

    account_line, contract_line, box_line = h.only_invoice(db).lines
    assert account_line.amount == D("9.68")  # 25/31
    assert contract_line.subscribed_option_id == on_contract
    assert contract_line.description == "Archivage — contrat C2025-00001 — mars 2026"
    assert (contract_line.kind, contract_line.amount) == ("option", D("2.00"))
    # the option's 11th-31st cut to the mailbox's end (25th): 15/31 × 2.00 = 0.97, × 3
    assert box_line.subscribed_option_id == on_box
    assert box_line.description == ("Archivage — jean@exemple.fr — mars 2026 (prorata 15/31 jours)")
    assert (box_line.quantity, box_line.unit_price, box_line.amount) == (
        D("3.000"), D("0.97"), D("2.91")
    )  # fmt: skip
    assert box_line.period == (date(2026, 3, 11), date(2026, 3, 25))


def test_a_yearly_option_is_billed_in_its_anniversary_months_only(
    db: Database, acme: Customer
) -> None:
    domain = h.option(db, "Nom de domaine", OptionBilling.YEARLY, ((h.LONG_AGO, "15.00"),))
    running = h.subscribe(db, domain, date(2025, 5, 20), contract_id=acme.contract_id)
    ended = h.subscribe(
        db, domain, date(2024, 5, 31), contract_id=acme.contract_id, ends_on=date(2026, 5, 30)
    )
    months = [date(2025, 5, 1), date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)]
    for month in months:
        run(db, month, today=month)

    assert [h.invoices(db, m) != [] for m in months] == [True, False, True, False]
    first, second = h.only_invoice(db, date(2025, 5, 1)).lines
    assert (first.subscribed_option_id, second.subscribed_option_id) == (running, ended)
    assert first.description == "Nom de domaine — contrat C2025-00001 — du 20/05/2025 au 19/05/2026"
    assert second.period == (date(2025, 5, 31), date(2026, 5, 30))
    (renewed,) = h.only_invoice(db, date(2026, 5, 1)).lines  # the ended one: 31/05 > 30/05
    assert renewed.period == (date(2026, 5, 20), date(2027, 5, 19))
    assert (renewed.amount, renewed.kind) == (D("15.00"), "option")


def test_per_act_options_and_initial_fees_are_billed_once(
    db: Database, acme: Customer, plan: int
) -> None:
    fee = h.option(
        db, "Frais de mise en service", OptionBilling.PER_ACT, ((h.LONG_AGO, "49.00"),),
        category=OptionCategory.INITIAL_FEE,
    )  # fmt: skip
    migration = h.option(
        db, "Migration", OptionBilling.PER_ACT, ((h.LONG_AGO, "25.00"),),
        category=OptionCategory.SERVICE,
    )  # fmt: skip
    box = h.account(db, acme, "jean", plan)
    h.subscribe(db, fee, date(2026, 3, 1), contract_id=acme.contract_id)
    h.subscribe(db, migration, date(2026, 3, 5), mailbox_id=box, quantity="3")
    next_month = h.subscribe(db, migration, date(2026, 4, 2), contract_id=acme.contract_id)

    run(db, MARCH, issue=True)
    late = h.subscribe(db, migration, date(2026, 3, 20), contract_id=acme.contract_id)
    run(db, APRIL, issue=True)
    run(db, date(2026, 5, 1), today=APRIL, issue=True)

    march = h.only_invoice(db, MARCH)
    assert [(line.kind, line.amount) for line in march.lines] == [
        ("subscription", D("12.00")),
        ("initial_fee", D("49.00")),
        ("service", D("75.00")),
    ]
    assert march.lines[2].description == "Migration — jean@exemple.fr — 05/03/2026"
    april = h.only_invoice(db, APRIL)
    assert [line.subscribed_option_id for line in april.lines[1:]] == [late, next_month]
    assert [(line.kind, line.amount) for line in april.lines] == [
        ("subscription", D("12.00")),
        ("service", D("25.00")),
        ("service", D("25.00")),
    ]
    assert [line.period[0] for line in april.lines[1:]] == [date(2026, 3, 20), date(2026, 4, 2)]
    assert h.only_invoice(db, date(2026, 5, 1)).amounts == [D("12.00")]


def test_mixed_vat_rates_are_rounded_per_rate(db: Database, acme: Customer, line: int) -> None:
    plan = h.plan(db, line, "Mini", ((h.LONG_AGO, "1.03"),))  # provider's 20 %
    books = h.option(
        db, "Formation", OptionBilling.PER_ACT, ((h.LONG_AGO, "10.00"),), vat_rate=D("5.50")
    )
    for name in ("a", "b", "c"):
        h.account(db, acme, name, plan)
    h.subscribe(db, books, date(2026, 3, 3), contract_id=acme.contract_id)

    run(db, issue=True)

    invoice = h.only_invoice(db)
    assert [line.vat_rate for line in invoice.lines] == [D("20.00")] * 3 + [D("5.50")]
    # 20 %: 3.09 → 0.618 → 0.62 (per line would give 3 × 0.21); 5.5 %: 10.00 → 0.55
    assert invoice.totals == (D("13.09"), D("1.17"), D("14.26"))


def test_lines_follow_contract_number_then_addresses_then_option_names(
    db: Database, acme: Customer, plan: int
) -> None:
    older = h.contract(db, acme.client_id, acme.line_id, "C2024-00007", date(2024, 1, 1))
    extra = h.option(db, "Antivirus", OptionBilling.MONTHLY, ((h.LONG_AGO, "0.80"),))
    archive = h.option(db, "Archivage", OptionBilling.MONTHLY, ((h.LONG_AGO, "2.00"),))
    zoe = h.account(db, acme, "zoe", plan)
    h.account(db, acme, "alice", plan)
    h.account(db, acme, "bob", plan, contract_id=older)
    h.subscribe(db, archive, h.LONG_AGO, mailbox_id=zoe)
    h.subscribe(db, extra, h.LONG_AGO, contract_id=acme.contract_id)

    run(db)

    invoice = h.only_invoice(db)
    assert [line.position for line in invoice.lines] == [1, 2, 3, 4, 5]
    assert [line.description.split(" — ")[:2] for line in invoice.lines] == [
        ["Boîte bob@exemple.fr", "Exchange 50 Go"],
        ["Boîte alice@exemple.fr", "Exchange 50 Go"],
        ["Boîte zoe@exemple.fr", "Exchange 50 Go"],
        ["Antivirus", "contrat C2025-00001"],
        ["Archivage", "zoe@exemple.fr"],
    ]
    assert invoice.is_renewal  # C2024-00007 started 2024-01-01, past its 12 months


def test_renewal_flag_and_payment_method(db: Database, line: int, plan: int) -> None:
    new = h.customer(
        db, line, "Neuve", domain_name="neuve.fr", number="C2026-00001",
        service_start=date(2025, 4, 1), payment_method=PaymentMethod.SEPA_DEBIT,
    )  # fmt: skip
    old = h.customer(
        db, line, "Ancienne", domain_name="ancienne.fr", number="C2025-00009",
        service_start=date(2025, 3, 1), contract_payment_method=PaymentMethod.CHEQUE,
    )  # fmt: skip
    h.account(db, new, "a", plan)
    h.account(db, old, "b", plan)

    run(db)

    billed = {invoice.client_id: invoice for invoice in h.invoices(db)}
    assert (billed[new.client_id].is_renewal, billed[old.client_id].is_renewal) == (False, True)
    # The initial order is never debited (HE §9.2): the client's direct debit waits for
    # the renewal, this first invoice is paid by transfer.
    assert billed[new.client_id].payment_method is PaymentMethod.TRANSFER
    # Renewed: collected by direct debit (HE §9.3), whatever the initial order's cheque.
    assert billed[old.client_id].payment_method is PaymentMethod.SEPA_DEBIT


def test_anonymised_clients_and_cancelled_contracts_are_skipped(
    db: Database, line: int, plan: int
) -> None:
    gone = h.customer(db, line, "Partie", domain_name="partie.fr", number="C1")
    kept = h.customer(db, line, "Restée", domain_name="restee.fr", number="C2")
    cancelled = h.contract(
        db, kept.client_id, line, "C3", date(2025, 1, 1), status=ContractStatus.CANCELLED
    )
    h.account(db, gone, "a", plan)
    h.account(db, kept, "b", plan)
    h.account(db, kept, "c", plan, contract_id=cancelled)
    with db.session_scope() as session:
        session.execute(
            sa.update(Client)
            .where(Client.id == gone.client_id)
            .values(status=ClientStatus.ANONYMISED)
        )

    run(db)

    invoice = h.only_invoice(db)
    assert (invoice.client_id, len(invoice.lines)) == (kept.client_id, 1)


# --- the run ----------------------------------------------------------------------------


def three_clients(db: Database, line: int, plan: int) -> list[int]:
    clients = []
    for index in range(3):
        who = h.customer(
            db, line, f"Client {index}", domain_name=f"client{index}.fr", number=f"C{index}"
        )
        h.account(db, who, "jean", plan)
        clients.append(who.client_id)
    return clients


def test_running_a_month_twice_creates_nothing(db: Database, line: int, plan: int) -> None:
    three_clients(db, line, plan)
    first = run(db, issue=True)
    again = run(db, issue=True)

    assert (first.invoices_created, first.already_billed) == (3, 0)
    assert first.numbers == ("F2026-000001", "F2026-000002", "F2026-000003")
    assert (again.invoices_created, again.already_billed, again.clients_billed) == (0, 3, 3)
    assert (again.numbers, again.total_incl_vat) == ((), D("0.00"))
    assert len(h.invoices(db)) == 3


def test_an_interrupted_run_leaves_whole_batches_and_a_rerun_completes_it(
    db: Database, line: int, plan: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    clients = three_clients(db, line, plan)
    real = billing_run.issue_invoices
    calls: list[int] = []

    def failing(*args: object, **kwargs: object) -> list[str]:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("coupure")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(billing_run, "issue_invoices", failing)
    with pytest.raises(RuntimeError):
        run(db, issue=True, batch_size=1)
    assert [i.client_id for i in h.invoices(db)] == clients[:1]

    monkeypatch.setattr(billing_run, "issue_invoices", real)
    report = run(db, issue=True, batch_size=1)

    billed = h.invoices(db)
    assert sorted(i.client_id for i in billed) == sorted(clients)
    assert (report.invoices_created, report.already_billed) == (2, 1)
    assert [i.number for i in billed] == ["F2026-000001", "F2026-000002", "F2026-000003"]
    assert all(len(i.lines) == 1 for i in billed)


def test_cancel_between_batches_keeps_what_was_committed(
    db: Database, line: int, plan: int
) -> None:
    three_clients(db, line, plan)
    seen: list[tuple[int, int]] = []

    report = run(
        db, batch_size=2, progress=lambda *p: seen.append(p), cancelled=lambda: bool(seen[1:])
    )

    assert report.cancelled
    assert (report.invoices_created, len(h.invoices(db))) == (2, 2)
    assert seen == [(0, 3), (2, 3)]
    rest = run(db)
    assert (rest.invoices_created, rest.already_billed, rest.cancelled) == (1, 2, False)


def test_progress_counts_the_clients_to_invoice(db: Database, line: int, plan: int) -> None:
    three_clients(db, line, plan)
    seen: list[tuple[int, int]] = []
    run(db, batch_size=1, progress=lambda *p: seen.append(p))
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_a_client_billed_meanwhile_by_another_desktop_is_skipped(
    db: Database, line: int, plan: int
) -> None:
    """The unique (client, month) index stops the batch; it is re-read and retried."""
    clients = three_clients(db, line, plan)

    def other_desktop(done: int, _total: int) -> None:
        if done == 1:
            insert_draft(db, clients[1], MARCH)

    report = run(db, issue=True, batch_size=1, progress=other_desktop)

    assert (report.invoices_created, report.already_billed, report.clients_billed) == (2, 1, 3)
    assert report.numbers == ("F2026-000001", "F2026-000002")
    assert len(h.invoices(db)) == 3


def insert_draft(db: Database, client_id: int, month: date) -> None:
    with db.session_scope() as session:
        session.add(Invoice(client_id=client_id, kind=InvoiceKind.INVOICE, billing_month=month))


def test_the_preview_writes_nothing_and_matches_the_run(db: Database, line: int, plan: int) -> None:
    clients = three_clients(db, line, plan)
    insert_draft(db, clients[0], MARCH)

    preview = preview_billing(db, date(2026, 3, 17))

    assert len(h.invoices(db)) == 1
    assert (preview.month, preview.already_billed, preview.clients) == (MARCH, 1, 2)
    assert [row.client_id for row in preview.rows] == clients[1:]
    assert [(r.client_name, r.lines, r.total_incl_vat) for r in preview.rows] == [
        ("Client 1", 1, D("14.40")),
        ("Client 2", 1, D("14.40")),
    ]
    assert (preview.total_excl_vat, preview.total_incl_vat, preview.lines) == (
        D("24.00"), D("28.80"), 2
    )  # fmt: skip
    report = run(db)
    assert (report.total_excl_vat, report.total_incl_vat) == (
        preview.total_excl_vat, preview.total_incl_vat
    )  # fmt: skip


def test_a_missing_price_stops_the_run_before_anything_is_written(
    db: Database, acme: Customer, line: int
) -> None:
    plan = h.plan(db, line, "Nouveau", ((APRIL, "9.00"),))
    h.account(db, acme, "jean", plan)
    with pytest.raises(UserError, match="Aucun prix n'est défini pour « Nouveau » au 01/03/2026"):
        run(db)
    assert h.invoices(db) == []


# --- the month asked --------------------------------------------------------------------


def test_a_month_after_next_month_is_refused(db: Database) -> None:
    assert run(db, APRIL, today=date(2026, 3, 31)).invoices_created == 0
    with pytest.raises(UserError, match="^On ne facture pas un mois au-delà du mois prochain.$"):
        run(db, date(2026, 5, 1), today=date(2026, 3, 31))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-03", MARCH), (" 2026-11 ", date(2026, 11, 1)), ("0001-01", date(1, 1, 1))],
)
def test_month_of_reads_year_and_month(text: str, expected: date) -> None:
    assert month_of(text) == expected


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "2026-3", "03-2026", "", "0000-01", "2026-٠٣"]
)
def test_month_of_refuses_anything_else(text: str) -> None:
    with pytest.raises(UserError) as info:
        month_of(text)
    assert info.value.message == f"« {text} » n'est pas un mois AAAA-MM (par exemple 2026-11)."


@given(st.text())
def test_month_of_never_fails_otherwise(text: str) -> None:
    try:
        day = month_of(text)
    except UserError as error:
        assert "n'est pas un mois AAAA-MM" in error.message
    else:
        assert day.day == 1 and f"{day.year:04d}-{day.month:02d}" == text.strip()


def test_run_accepts_any_day_of_the_month(db: Database, acme: Customer, plan: int) -> None:
    h.account(db, acme, "jean", plan)
    assert run(db, date(2026, 3, 31)).month == MARCH
    assert h.only_invoice(db).lines[0].amount == D("12.00")


# --- months missed: opened after the month's run ------------------------------------------
# An account activated (or an option started) after its month's run is on the next invoice,
# pro rata of its days in that month, once (business rules §5).

MAY = date(2026, 5, 1)


@pytest.fixture
def billed(db: Database, acme: Customer, plan: int) -> Customer:
    """``acme`` with one account since June 2025, billed for March 2026."""
    h.account(db, acme, "ancien", plan)
    assert run(db, MARCH).invoices_created == 1
    return acme


def described(db: Database, month: date) -> list[tuple[str, D, tuple[date | None, date | None]]]:
    return [
        (line.description, line.amount, line.period) for line in h.only_invoice(db, month).lines
    ]


def test_an_account_opened_after_the_run_is_billed_on_the_next_invoice(
    db: Database, billed: Customer, plan: int
) -> None:
    assert [line.description for line in h.only_invoice(db, MARCH).lines] == [
        "Boîte ancien@exemple.fr — Exchange 50 Go — mars 2026"
    ]  # the client had no invoice before March: nothing back-billed
    late = h.account(db, billed, "nouveau", plan, activated_on=date(2026, 3, 15))
    assert run(db, MARCH).invoices_created == 0  # March stays as issued

    assert run(db, APRIL, today=APRIL).invoices_created == 1
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

    assert run(db, APRIL, today=APRIL).invoices_created == 0
    assert run(db, MAY, today=MAY).invoices_created == 1
    assert [line.description for line in h.only_invoice(db, MAY).lines] == [
        "Boîte ancien@exemple.fr — Exchange 50 Go — mai 2026",
        "Boîte nouveau@exemple.fr — Exchange 50 Go — mai 2026",
    ]  # March's days once only


def test_an_account_opened_and_closed_within_a_billed_month(
    db: Database, billed: Customer, plan: int
) -> None:
    h.account(
        db, billed, "passage", plan, activated_on=date(2026, 3, 15), ends_on=date(2026, 3, 25)
    )
    run(db, APRIL, today=APRIL)
    assert described(db, APRIL)[1] == (
        "Boîte passage@exemple.fr — Exchange 50 Go — mars 2026 (prorata 11/31 jours)",
        D("4.26"),
        (date(2026, 3, 15), date(2026, 3, 25)),
    )
    assert len(described(db, APRIL)) == 2


def test_options_started_after_the_run(db: Database, billed: Customer, plan: int) -> None:
    archive = h.option(db, "Archivage", OptionBilling.MONTHLY, ((h.LONG_AGO, "2.00"),))
    antivirus = h.option(db, "Antivirus", OptionBilling.YEARLY, ((h.LONG_AGO, "24.00"),))
    h.subscribe(db, archive, date(2026, 3, 20), contract_id=billed.contract_id)
    h.subscribe(db, antivirus, date(2026, 3, 10), contract_id=billed.contract_id)
    box = h.account(db, billed, "nouveau", plan, activated_on=date(2026, 3, 29))
    h.subscribe(db, archive, date(2026, 1, 1), mailbox_id=box)  # ordered before, opened late

    run(db, APRIL, today=APRIL)

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
    run(db, MAY, today=MAY)
    may = described(db, MAY)
    assert [amount for _, amount, _ in may] == [D("12.00"), D("12.00"), D("2.00"), D("2.00")]
