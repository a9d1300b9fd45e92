"""``generate_demo``: build every row in memory, then write them in one transaction."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from desktop.db.engine import Database
from desktop.errors import UserError
from desktop.services.demo.billing_history import HISTORY_MONTHS, bill_history
from desktop.services.demo.builder import HISTORY_YEARS, DemoBuilder, Progress
from desktop.services.demo.bulk import refuse_non_empty, write_rows
from desktop.services.demo.catalogue import build_catalogue
from desktop.services.demo.clients import build_client
from desktop.services.demo.collections import collect_history
from desktop.services.demo.contacts import add_contacts
from desktop.services.demo.contracts import build_contract
from desktop.services.demo.dates import today_in_paris
from desktop.services.demo.domains import build_domains, drop_scratch
from desktop.services.demo.events import number_events_in_time_order
from desktop.services.demo.incidents import demo_incidents
from desktop.services.demo.mailboxes import build_mailboxes
from desktop.services.demo.planning import (
    PlannedContract,
    mailbox_counts,
    number_contracts,
    plan_contracts,
)
from desktop.services.demo.provider import build_provider
from desktop.services.demo.quotes import demo_quotes
from desktop.services.demo.tables import DemoSummary, Row, summarise

MAX_CLIENTS = 100_000


def generate_demo(
    db: Database,
    *,
    clients: int = 60,
    seed: int = 2026,
    today: date | None = None,
    progress: Progress | None = None,
    billing_months: int = HISTORY_MONTHS,
) -> DemoSummary:
    """Fill an empty database with demonstration data; refuse a database holding any.

    The same ``seed`` and ``today`` always give the same data. ``progress`` is
    called with a French stage label, the work done and the total of that stage.
    The last ``billing_months`` months are then billed, paid or not.
    """
    if not 1 <= clients <= MAX_CLIENTS:
        raise UserError(
            f"Le nombre de clients doit être compris entre 1 et {MAX_CLIENTS:_}.".replace("_", " ")
        )
    day = today if today is not None else today_in_paris()
    with db.read_session() as session:
        refuse_non_empty(session.connection())
    builder = DemoBuilder(clients, seed, day, progress)
    _build(builder)
    with db.session_scope() as session:
        connection = session.connection()
        refuse_non_empty(connection)  # again, under the write lock
        write_rows(
            connection,
            builder.rows,
            lambda done, total: builder.report("Enregistrement en base", done, total),
        )
    invoices = bill_history(db, today=day, seed=seed, months=billing_months, progress=progress)
    demo_incidents(db, today=day, seed=seed, months=billing_months)
    demo_quotes(db, today=day, seed=seed)
    if billing_months > 0:
        collect_history(db, today=day, seed=seed, progress=progress)
    return replace(summarise(builder.rows), invoices=invoices)


def _build(b: DemoBuilder) -> None:
    build_provider(b)
    build_catalogue(b)
    client_rows, contracts = _plan_clients(b)
    _fill_clients(b, client_rows, contracts)
    drop_scratch(b)
    number_events_in_time_order(b)


def _plan_clients(b: DemoBuilder) -> tuple[list[Row], list[PlannedContract]]:
    """Every client (created over the history, in order) and the contracts it ordered."""
    first_day = b.today - timedelta(days=365 * HISTORY_YEARS + 60)
    since = sorted(b.random_day(first_day, b.today) for _ in range(b.n_clients))
    client_rows: list[Row] = []
    contracts: list[PlannedContract] = []
    for index, created_on in enumerate(since):
        row = build_client(b, index, created_on)
        client_rows.append(row)
        contracts.extend(plan_contracts(b, index, row, created_on))
    number_contracts(b, contracts)
    return client_rows, contracts


def _fill_clients(b: DemoBuilder, client_rows: list[Row], contracts: list[PlannedContract]) -> None:
    """Each client's domains and contacts, then its contracts with their mailboxes."""
    counts = mailbox_counts(b, client_rows, contracts)
    by_client: dict[int, list[PlannedContract]] = {}
    for planned in contracts:
        by_client.setdefault(planned.client_index, []).append(planned)
    step = max(1, b.n_clients // 50)
    for index, client in enumerate(client_rows):
        domains = build_domains(b, client)
        add_contacts(b, client, domains[0]["name"])
        for planned in sorted(by_client.get(index, []), key=lambda c: c.id):
            count = counts.get(planned.id, 0)
            life = build_contract(b, client, planned, len(domains), count)
            build_mailboxes(b, life, domains, count)
        if (index + 1) % step == 0 or index + 1 == b.n_clients:
            b.report("Génération des clients", index + 1, b.n_clients)
    b.rows["contract"].sort(key=lambda r: r["id"])
