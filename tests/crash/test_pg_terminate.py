"""PostgreSQL connections cut by the server (``pg_terminate_backend``) during a billing run
and between two actions.

Cut inside a batch's transaction, the run stops with the French "connexion
perdue" message, the batch leaves nothing, and the same :class:`Database`
runs the month again to its end: every client once, numbers without gap, the
chain intact. Cut while idle in the pool, the connection is replaced before
the next action (``pool_pre_ping``) and the user sees nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from desktop.db.engine import Database
from desktop.db.models import Client
from desktop.errors import DatabaseError
from desktop.services.billing_run import preview_billing, run_billing
from desktop.services.demo import generate_demo
from tests.conftest import DEMO_TODAY
from tests.crash.crash_checks import billed_month, invoicing_problems
from tests.services.factories import client

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.parametrize("db", ["postgresql"], indirect=True),
]

MONTH = date(2026, 12, 1)
CLIENTS = 12
BATCH = 2
CUT_IN_BATCH = 3
TERMINATE = (
    "WITH application AS MATERIALIZED (SELECT pid FROM pg_stat_activity "
    "WHERE application_name = 'backoffice' AND datname = current_database() "
    "AND pid <> pg_backend_pid()) "
    "SELECT pid FROM application WHERE pg_terminate_backend(pid, 5000)"
)
"""Cut every connection of the application to the test database (chosen first: the
CTE is MATERIALIZED, so the filter cannot run after the cut), waiting until each is
gone; the processes cut."""


def _terminate(db: Database) -> set[int]:
    """Cut the application's connections from another one; the server processes cut."""
    admin = sa.create_engine(db.url, poolclass=sa.pool.NullPool)
    try:
        with admin.connect() as connection:
            return set(connection.exec_driver_sql(TERMINATE).scalars())
    finally:
        admin.dispose()


def _pid(connection: sa.Connection) -> int:
    """The server process behind a connection of the application."""
    return int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


@contextmanager
def _cut_after(db: Database, prefix: str, nth: int) -> Iterator[list[tuple[int, set[int]]]]:
    """Cut the connections right after the ``nth`` statement starting with ``prefix``;
    the list yielded receives the process that ran it and those cut."""
    cuts: list[tuple[int, set[int]]] = []
    seen = 0

    def after_execute(conn: sa.Connection, _cursor: Any, statement: str, *_rest: Any) -> None:
        nonlocal seen
        if statement.startswith(prefix):
            seen += 1
            if seen == nth:
                dbapi_connection = conn.connection.dbapi_connection
                assert dbapi_connection is not None
                cuts.append((dbapi_connection.info.backend_pid, _terminate(db)))

    event.listen(db.engine, "after_cursor_execute", after_execute)
    try:
        yield cuts
    finally:
        event.remove(db.engine, "after_cursor_execute", after_execute)


def _bill(db: Database) -> tuple[int, int]:
    report = run_billing(db, MONTH, actor="crash", today=DEMO_TODAY, batch_size=BATCH)
    return report.invoices_created, report.already_billed


@pytest.mark.slow
def test_cut_inside_a_batch_stops_the_run_and_the_same_database_finishes_it(
    db: Database,
) -> None:
    generate_demo(db, clients=CLIENTS, today=DEMO_TODAY)
    preview = preview_billing(db, MONTH)
    expected = [(r.client_code, r.lines, r.total_excl_vat, r.total_incl_vat) for r in preview.rows]
    assert len(expected) > BATCH * CUT_IN_BATCH  # the cut batch is not the last one

    with _cut_after(db, "INSERT INTO invoice_line", CUT_IN_BATCH) as cuts:
        with pytest.raises(DatabaseError) as caught:
            _bill(db)
    [(running, cut)] = cuts
    assert running in cut
    assert caught.value.message == (
        f"La connexion à la base de données a été perdue ({db.description}) : "
        "rien n'a été enregistré. Réessayez ; si cela se reproduit, vérifiez le réseau "
        "et le serveur."
    )
    committed = BATCH * (CUT_IN_BATCH - 1)
    billed = billed_month(db, MONTH)
    assert [(r[0], r[6], r[3], r[5]) for r in billed] == expected[:committed]
    assert invoicing_problems(db) == []

    assert _bill(db) == (len(expected) - committed, committed)
    billed = billed_month(db, MONTH)
    assert [(r[0], r[6], r[3], r[5]) for r in billed] == expected
    assert all(r[7] == r[3] for r in billed)  # the lines add up to each total
    assert invoicing_problems(db) == []
    assert _bill(db) == (0, len(expected))


def test_a_connection_cut_while_idle_is_replaced_before_the_next_action(db: Database) -> None:
    with db.engine.connect() as connection:  # then back in the pool, idle
        pooled = _pid(connection)
    assert pooled in _terminate(db)
    created = client(db)  # a write, on a new connection
    with db.engine.connect() as connection:
        renewed = _pid(connection)
    assert renewed != pooled
    assert renewed in _terminate(db)
    with db.read_session() as session:
        assert session.get(Client, created.id) is not None


def test_a_cut_during_the_commit_says_the_outcome_is_unknown(db: Database) -> None:
    """Cut when only the COMMIT is left: the server may have committed or not, so the
    message says so instead of « rien n'a été enregistré »."""
    kept = client(db)
    cuts: list[set[int]] = []

    def before_commit(_conn: sa.Connection) -> None:
        cuts.append(_terminate(db))

    event.listen(db.engine, "commit", before_commit)
    try:
        with pytest.raises(DatabaseError) as caught:
            client(db, name="Coupé au commit")
    finally:
        event.remove(db.engine, "commit", before_commit)
    assert len(cuts) == 1 and cuts[0]
    assert caught.value.message == (
        "La connexion à la base de données a été perdue pendant l'enregistrement "
        f"({db.description}) : impossible de savoir s'il a abouti. Actualisez (F5) pour "
        "vérifier avant de recommencer ; si cela se reproduit, vérifiez le réseau et le serveur."
    )
    with db.read_session() as session:  # cut before the COMMIT reached the server: not kept
        names = list(session.scalars(sa.select(Client.name).order_by(Client.id)))
    assert names == [kept.name]
