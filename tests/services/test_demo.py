"""Demonstration data: coherent, valid, deterministic, and all-or-nothing."""

from __future__ import annotations

import statistics
from collections import Counter as Tally
from collections import defaultdict
from dataclasses import fields
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from stdnum import bic, iban
from stdnum.eu import at_02
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.fr import tva as fr_tva

from desktop.db.engine import Database, sqlite_url
from desktop.db.models import (
    AccessCodeEvent,
    Base,
    CatalogueOption,
    Client,
    Contract,
    Counter,
    Domain,
    LifecycleEvent,
    Mailbox,
    Plan,
    Price,
    ProductLine,
    Provider,
)
from desktop.db.schema import upgrade
from desktop.domain.domain_names import normalize_domain_name
from desktop.domain.emails import normalize_email, normalize_local_part
from desktop.domain.enums import (
    AccessCodeAction,
    ClientKind,
    ClientStatus,
    ContractStatus,
    MailboxKind,
    MailboxStatus,
    OptionCategory,
    PaymentMethod,
    ProductLineCode,
)
from desktop.domain.identifiers import french_vat_number, normalize_postcode
from desktop.errors import UserError
from desktop.services.clients import ClientDraft, create_client
from desktop.services.demo import NOT_EMPTY_MESSAGE, DemoSummary, bulk, generate_demo
from desktop.services.demo.tables import SUMMARY_TABLES

TODAY = date(2026, 3, 15)
CLIENTS = 40


def _demo(
    db: Database, clients: int = CLIENTS, seed: int = 2026, billing_months: int = 0
) -> DemoSummary:
    """The demo, without its billing history unless asked (test_demo_billing.py's)."""
    return generate_demo(db, clients=clients, seed=seed, today=TODAY, billing_months=billing_months)


def _rows(db: Database, model: Any) -> list[Any]:
    table: sa.Table = model.__table__
    order = table.c.id if "id" in table.c else table.primary_key.columns.values()[0]
    with db.read_session() as session:
        return list(session.execute(sa.select(table).order_by(order)))


def _counts(db: Database) -> dict[str, int]:
    with db.read_session() as session:
        return {
            table.name: session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }


# --- volumes --------------------------------------------------------------------------


def test_summary_matches_what_was_written(db: Database) -> None:
    summary = _demo(db, billing_months=2)

    counts = _counts(db)
    assert {f.name for f in fields(DemoSummary)} == set(SUMMARY_TABLES) | {"invoices"}
    counts["counter"] -= sum(
        1 for c in _rows(db, Counter) if not c.series.startswith(("client", "contract"))
    )
    # The quotes are made through the services after the bulk write (test_demo_quotes.py).
    counts["lifecycle_event"] -= sum(
        1 for e in _rows(db, LifecycleEvent) if (e.reason or "").startswith("Devis ")
    )
    for name, table in SUMMARY_TABLES.items():
        assert getattr(summary, name) == counts[table], name
    assert summary.total_rows == sum(counts[t] for t in SUMMARY_TABLES.values())
    assert summary.providers == 1 and summary.product_lines == 2
    assert summary.clients == CLIENTS
    assert summary.contacts >= 2 * CLIENTS
    assert CLIENTS <= summary.domains <= 3 * CLIENTS
    assert 0.75 * 20 * CLIENTS <= summary.mailboxes <= 1.25 * 20 * CLIENTS
    assert summary.subscribed_options > 0 and summary.lifecycle_events > 0
    assert summary.invoices == counts["invoice"] > CLIENTS
    # Nothing else is touched.
    billing = {"invoice", "invoice_line", "payment"}
    # Collections and dunning (test_demo_collections.py): mandates, batches, reminders.
    billing |= {"sepa_mandate", "sepa_batch", "sepa_debit", "dunning_event", "outbox"}
    billing |= {"quote", "quote_line", "contract_price"}
    billing |= {"audit_log"}  # what the services called above did (desktop/db/audit.py)
    untouched = set(counts) - set(SUMMARY_TABLES.values()) - {"alembic_version"} - billing
    assert all(counts[t] == 0 for t in untouched)


def test_progress_is_reported_per_stage(db: Database) -> None:
    calls: list[tuple[str, int, int]] = []
    summary = generate_demo(db, clients=10, today=TODAY, progress=lambda *call: calls.append(call))

    stages = list(dict.fromkeys(stage for stage, _, _ in calls))
    assert stages == [
        "Génération des clients",
        "Enregistrement en base",
        "Facturation des mois passés",
        "Prélèvements et relances",
    ]
    for stage in stages:
        steps = [(done, total) for name, done, total in calls if name == stage]
        assert [d for d, _ in steps] == sorted(d for d, _ in steps)
        assert steps[-1][0] == steps[-1][1]
    assert ("Enregistrement en base", summary.total_rows, summary.total_rows) in calls
    assert ("Facturation des mois passés", 12, 12) in calls
    assert calls[-1] == ("Prélèvements et relances", 3, 3)


def test_large_run_has_a_long_tail_of_mailboxes(db: Database) -> None:
    clients = 500
    summary = _demo(db, clients=clients)

    assert 0.75 * 20 * clients <= summary.mailboxes <= 1.25 * 20 * clients
    per_client = Tally(row.client_id for row in _rows(db, Mailbox))
    sizes = sorted(per_client.values())
    assert statistics.median(sizes) <= 12  # many small clients…
    assert sizes[-1] >= 150  # …and a few large ones
    assert sum(1 for n in sizes if n <= 10) >= 0.4 * len(sizes)
    statuses = Tally(row.status for row in _rows(db, Mailbox))
    assert set(statuses) == set(MailboxStatus)
    assert statuses[MailboxStatus.ACTIVE] > 0.6 * summary.mailboxes
    kinds = Tally(row.kind for row in _rows(db, Mailbox))
    assert set(kinds) == set(MailboxKind)
    assert kinds[MailboxKind.USER] > 0.8 * summary.mailboxes
    domains = [row.name for row in _rows(db, Domain)]
    assert any(name.startswith("xn--") for name in domains)  # a few IDN
    client_kinds = Tally(row.kind for row in _rows(db, Client))
    assert 0.04 * clients <= client_kinds[ClientKind.CONSUMER] <= 0.13 * clients
    assert 0.01 * clients <= client_kinds[ClientKind.PUBLIC_BODY] <= 0.06 * clients


def test_client_count_is_checked(db: Database) -> None:
    with pytest.raises(UserError, match="nombre de clients"):
        generate_demo(db, clients=0)
    assert _counts(db)["client"] == 0


# --- identities -----------------------------------------------------------------------


def test_provider_identity_is_valid(db: Database) -> None:
    _demo(db)

    (provider,) = _rows(db, Provider)
    assert provider.id == 1
    assert fr_siren.is_valid(provider.siren)
    assert provider.vat_number == french_vat_number(provider.siren)
    assert fr_tva.is_valid(provider.vat_number)
    assert provider.iban.startswith("FR76") and iban.is_valid(provider.iban)
    assert bic.is_valid(provider.bic)
    assert provider.sepa_creditor_id.startswith("FR") and at_02.is_valid(provider.sepa_creditor_id)
    assert provider.share_capital == Decimal("50000.00")
    assert normalize_postcode(provider.postcode) == provider.postcode
    # Settings keep the model's defaults.
    assert provider.default_vat_rate == Decimal("20.00")
    assert provider.refused_tlds == "tel"
    assert provider.contract_number_format == "C{year}-{seq:05d}"


def test_client_identifiers_are_valid(db: Database) -> None:
    _demo(db, clients=120)

    clients = _rows(db, Client)
    assert [c.code for c in clients] == [f"CL{i:05d}" for i in range(1, 121)]
    assert len({c.siren for c in clients if c.siren}) == sum(1 for c in clients if c.siren)
    for client in clients:
        assert normalize_postcode(client.postcode) == client.postcode
        assert normalize_email(client.billing_email) == client.billing_email
        if client.kind is ClientKind.CONSUMER:
            assert client.siren is None and client.siret is None and client.vat_number is None
            assert client.consumer_waiver_at is not None
            assert client.legal_form is None
            continue
        assert client.consumer_waiver_at is None
        assert fr_siren.is_valid(client.siren), client
        assert fr_siret.is_valid(client.siret), client
        assert client.siret.startswith(client.siren)
        if client.vat_number is not None:
            assert client.vat_number == french_vat_number(client.siren)
            assert fr_tva.is_valid(client.vat_number)
        if client.kind is ClientKind.PUBLIC_BODY:
            assert client.siren.startswith("2")
            assert client.chorus_pro_id == client.siret
            assert client.payment_method is PaymentMethod.ADMINISTRATIVE_MANDATE
        else:
            assert client.vat_number is not None or client.legal_form.startswith("Association")


# --- domains ----------------------------------------------------------------------------


def test_domains_are_unique_normalised_and_one_primary_per_client(db: Database) -> None:
    _demo(db, clients=120)

    domains = _rows(db, Domain)
    names = [d.name for d in domains]
    assert len(names) == len(set(names))
    for domain in domains:
        assert normalize_domain_name(domain.name) == domain.name
        assert not domain.name.endswith(".tel")
    primaries = Tally(d.client_id for d in domains if d.is_primary)
    assert set(primaries) == {c.id for c in _rows(db, Client)}
    assert set(primaries.values()) == {1}
    statuses = {c.id: c.status for c in _rows(db, Client)}
    for domain in domains:
        if statuses[domain.client_id] is not ClientStatus.PROSPECT:
            assert domain.admin_certified_at is not None and domain.admin_certified_by
    assert sum(d.antispam_enabled for d in domains) > 0.7 * len(domains)


# --- mailboxes --------------------------------------------------------------------------


def test_mailboxes_agree_with_their_contract_domain_and_plan(db: Database) -> None:
    _demo(db)

    contracts = {c.id: c for c in _rows(db, Contract)}
    domains = {d.id: d for d in _rows(db, Domain)}
    plans = {p.id: p for p in _rows(db, Plan)}
    mailboxes = _rows(db, Mailbox)
    assert len({m.address for m in mailboxes}) == len(mailboxes)
    for box in mailboxes:
        contract, domain, plan = (
            contracts[box.contract_id],
            domains[box.domain_id],
            plans[box.plan_id],
        )
        assert box.client_id == contract.client_id == domain.client_id
        assert box.product_line_id == contract.product_line_id == plan.product_line_id
        assert box.kind is plan.mailbox_kind
        assert box.quota_gb == plan.quota_gb
        assert normalize_local_part(box.local_part) == box.local_part
        assert box.address == f"{box.local_part}@{domain.name}"
        assert box.display_name
        assert box.created_at <= box.updated_at


def test_statuses_and_dates_are_consistent(db: Database) -> None:
    _demo(db, clients=120)

    contracts = {c.id: c for c in _rows(db, Contract)}
    mailboxes = _rows(db, Mailbox)
    by_contract: dict[int, list[Any]] = defaultdict(list)
    for box in mailboxes:
        by_contract[box.contract_id].append(box)
        _check_mailbox_dates(box, contracts[box.contract_id])

    for contract in contracts.values():
        statuses = {b.status for b in by_contract[contract.id]}
        assert statuses, f"contract {contract.number} has no mailbox"
        if contract.ordered_on and contract.signed_on:
            assert contract.ordered_on <= contract.signed_on
        if contract.status is ContractStatus.PENDING:
            assert contract.service_start is None
            assert statuses == {MailboxStatus.REQUESTED}
            continue
        assert contract.signed_on <= contract.service_start <= TODAY
        if contract.status is ContractStatus.TERMINATED:
            assert contract.termination_requested_on < contract.terminated_on <= TODAY
            assert statuses <= {MailboxStatus.TERMINATED, MailboxStatus.DELETED}
        elif contract.status is ContractStatus.SUSPENDED:
            assert MailboxStatus.ACTIVE not in statuses
            assert MailboxStatus.SUSPENDED in statuses
        else:
            assert contract.status is ContractStatus.ACTIVE
            assert MailboxStatus.ACTIVE in statuses

    by_client: dict[int, set[ContractStatus]] = defaultdict(set)
    for contract in contracts.values():
        by_client[contract.client_id].add(contract.status)
    for client in _rows(db, Client):
        statuses = by_client[client.id]
        if client.status is ClientStatus.PROSPECT:
            assert not statuses
        elif client.status is ClientStatus.TERMINATED:
            assert statuses == {ContractStatus.TERMINATED}
        elif client.status is ClientStatus.SUSPENDED:
            assert ContractStatus.ACTIVE not in statuses
        else:
            assert statuses & {ContractStatus.ACTIVE, ContractStatus.PENDING}


def _check_mailbox_dates(box: Any, contract: Any) -> None:
    status = box.status
    assert box.requested_on is not None and box.requested_on <= TODAY
    if status is MailboxStatus.REQUESTED:
        assert box.activated_on is None
        assert box.password_issued_at is None
        assert (box.non_renewal_requested_on, box.ends_on, box.terminated_on) == (None,) * 3
        assert box.deleted_on is None
        return
    assert contract.service_start <= box.activated_on <= TODAY
    assert contract.ordered_on <= box.requested_on <= box.activated_on
    if status in (MailboxStatus.ACTIVE, MailboxStatus.SUSPENDED):
        assert (box.non_renewal_requested_on, box.ends_on, box.terminated_on) == (None,) * 3
        assert box.deleted_on is None
        return
    assert box.activated_on <= box.non_renewal_requested_on <= box.ends_on
    if status is MailboxStatus.NON_RENEWAL_REQUESTED:
        assert box.non_renewal_requested_on <= TODAY <= box.ends_on
        assert box.terminated_on is None and box.deleted_on is None
        return
    assert box.ends_on < box.terminated_on <= TODAY
    if status is MailboxStatus.TERMINATED:
        assert box.deleted_on is None
    else:
        assert status is MailboxStatus.DELETED
        assert box.terminated_on < box.deleted_on <= TODAY


def test_every_change_is_logged(db: Database) -> None:
    _demo(db)

    events = _rows(db, LifecycleEvent)
    reached = {(e.mailbox_id, e.to_status) for e in events if e.mailbox_id is not None}
    for box in _rows(db, Mailbox):
        if box.status is not MailboxStatus.ACTIVE:
            assert (box.id, box.status.value) in reached, box.address
    assert all(e.by and e.at.tzinfo is not None for e in events)
    assert [e.at for e in events] == sorted(e.at for e in events)
    issued = Tally(
        e.client_id for e in _rows(db, AccessCodeEvent) if e.action is AccessCodeAction.ISSUED
    )
    started = Tally(c.client_id for c in _rows(db, Contract) if c.service_start is not None)
    assert issued == started


# --- contracts and catalogue ------------------------------------------------------------


def test_contract_numbers_are_continuous_and_counters_follow(db: Database) -> None:
    _demo(db, clients=120)

    lines = {line.id: line.code for line in _rows(db, ProductLine)}
    per_year: dict[int, list[int]] = defaultdict(list)
    for contract in _rows(db, Contract):
        prefix, seq = contract.number.split("-")
        assert prefix == f"C{contract.ordered_on.year}"
        per_year[contract.ordered_on.year].append(int(seq))
        if lines[contract.product_line_id] is ProductLineCode.HOSTED_EXCHANGE:
            assert contract.initial_months == 12
        else:
            assert contract.initial_months in (12, 24, 36)
        assert contract.renewal_months == 12
    counters = {c.series: c.next_value for c in _rows(db, Counter)}
    for year, numbers in per_year.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
        assert counters[f"contract-{year}"] == len(numbers) + 1
    assert counters["client"] == 121
    assert min(per_year) >= TODAY.year - 5


def test_catalogue_and_price_history(db: Database) -> None:
    _demo(db)

    with db.read_session() as session:
        lines = {line.code: line for line in session.scalars(sa.select(ProductLine))}
        assert lines[ProductLineCode.HOSTED_EXCHANGE].initial_months_choices == "12"
        assert not lines[ProductLineCode.HOSTED_EXCHANGE].sla_applies
        assert lines[ProductLineCode.OFFICE_365].initial_months_choices == "12,24,36"
        assert lines[ProductLineCode.OFFICE_365].sla_applies
        plans = {p.name: p for p in session.scalars(sa.select(Plan))}
        assert {"Exchange 2013 Standard 10 Go", "Exchange 2010 Essentiel 2 Go"} <= set(plans)
        assert {"Exchange Online Plan 1", "Microsoft 365 Business Basic"} <= set(plans)
        kinds = {(p.product_line.code, p.mailbox_kind) for p in plans.values()}
        assert kinds == {(line, kind) for line in ProductLineCode for kind in MailboxKind}
        options = list(session.scalars(sa.select(CatalogueOption)))
        assert {o.category for o in options} == set(OptionCategory)
        prices = list(session.scalars(sa.select(Price)))
        current = {
            (p.plan_id, p.option_id): p.amount_excl_vat for p in prices if p.valid_to is None
        }
        fees = {o.name: current[(None, o.id)] for o in options}
        assert fees["Frais de mise en service Hosted Exchange"] == Decimal("49.00")
        assert fees["Frais de mise en service Office 365"] == Decimal("79.00")
        assert current[(plans["Exchange 2013 Standard 10 Go"].id, None)] == Decimal("4.90")

    for price in prices:
        assert isinstance(price.amount_excl_vat, Decimal)
        assert price.amount_excl_vat.as_tuple().exponent == -2
    history: dict[tuple[int | None, int | None], list[Price]] = defaultdict(list)
    for price in prices:
        history[(price.plan_id, price.option_id)].append(price)
    assert len(history) == len(plans) + len(options)
    assert any(len(periods) == 2 for periods in history.values())
    for periods in history.values():
        periods.sort(key=lambda p: p.valid_from)
        assert periods[-1].valid_to is None  # one current price…
        for older, newer in zip(periods, periods[1:], strict=False):
            assert older.valid_to == newer.valid_from  # …and no gap before it


# --- determinism, refusal, atomicity ----------------------------------------------------


def _fingerprint(db: Database) -> tuple[list[str], list[str], list[str]]:
    return (
        [c.name for c in _rows(db, Client)],
        [d.name for d in _rows(db, Domain)],
        [m.address for m in _rows(db, Mailbox)],
    )


def test_same_seed_gives_the_same_data(db: Database, tmp_path: Path) -> None:
    first = _demo(db, clients=30, seed=7)
    other = Database(sqlite_url(tmp_path / "other.sqlite3"))
    third = Database(sqlite_url(tmp_path / "third.sqlite3"))
    try:
        upgrade(other)
        upgrade(third)
        assert _demo(other, clients=30, seed=7) == first
        assert _fingerprint(other) == _fingerprint(db)
        _demo(third, clients=30, seed=8)
        assert _fingerprint(third)[0] != _fingerprint(db)[0]
    finally:
        other.dispose()
        third.dispose()


def test_refuses_a_database_that_is_not_empty(db: Database) -> None:
    _demo(db, clients=3)
    before = _counts(db)

    with pytest.raises(UserError) as raised:
        _demo(db, clients=3, seed=99)

    assert raised.value.message == NOT_EMPTY_MESSAGE
    assert _counts(db) == before


def test_refuses_a_database_with_only_a_catalogue(db: Database) -> None:
    with db.session_scope() as session:
        session.add(ProductLine(code=ProductLineCode.OFFICE_365, name="Office 365"))

    with pytest.raises(UserError, match="n'est pas vide"):
        _demo(db, clients=3)
    assert _counts(db)["client"] == 0


def test_a_failure_writes_nothing(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    real_insert = bulk.insert_rows

    def failing_insert(connection: sa.Connection, table: sa.Table, rows: list[Any]) -> None:
        if table.name == "mailbox":
            raise RuntimeError("disk full")
        real_insert(connection, table, rows)

    monkeypatch.setattr(bulk, "insert_rows", failing_insert)
    with pytest.raises(RuntimeError, match="disk full"):
        _demo(db, clients=5)

    counts = _counts(db)
    assert all(n == 0 for name, n in counts.items() if name != "alembic_version")


def test_the_application_can_add_rows_after_the_demo(db: Database) -> None:
    _demo(db, clients=12)

    with db.session_scope() as session:
        client = Client(
            code="MANUEL-1", kind=ClientKind.BUSINESS, name="Nouveau", billing_email="a@b.fr"
        )
        session.add(client)
        session.flush()
        assert client.id == 13
        session.add(Domain(client_id=client.id, name="nouveau-client.fr", is_primary=True))
    created = create_client(
        db,
        ClientDraft(kind=ClientKind.CONSUMER, name="Jeanne Martin", billing_email="j@m.fr"),
        actor="tester",
    )
    assert created.code == "CL00013"
    assert created.id == 14
