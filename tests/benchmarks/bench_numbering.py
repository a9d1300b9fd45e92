"""``numbering_pg``: 8 processes issuing 250 invoices each on PostgreSQL.

Each run gets a fresh PostgreSQL database (created, migrated, dropped after):
on the server of ``--db`` when it names one, else on $BACKOFFICE_TEST_PG
(default ``postgres@127.0.0.1:5432``), like the test suite. Every process
makes its 250 drafts first, then all start together (a barrier) and issue
them one by one, each issue a transaction of its own; only the issuing is
timed. The run fails loudly unless the 2 000 numbers are F{year}-000001 …
F{year}-002000, each once, in chain order, with an intact hash chain. The
baseline is one process issuing 250 the same way on its own fresh database:
the ratio is the throughput of 8 processes over that of one (all issues are
serialised on the counter row: ~1 means no loss from contention).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import URL

from desktop.db.engine import Database, parse_database_url
from desktop.db.schema import upgrade
from tests.benchmarks.harness import Context, Result, benchmark
from tests.services.invoice_helpers import billing_setup
from tests.services.numbering_worker import Job, Run, numbering_problems, run_workers

PROCESSES = 8
PER_PROCESS = 250
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@benchmark(
    "numbering_pg",
    unit="fact/s",
    description=(
        f"{PROCESSES} processus émettant chacun {PER_PROCESS} factures en même temps sur "
        f"PostgreSQL (base neuve), une transaction par émission : factures émises par seconde, "
        f"contrôle des {PROCESSES * PER_PROCESS} numéros consécutifs, sans trou ni doublon ; "
        f"référence : 1 processus émettant {PER_PROCESS} factures."
    ),
)
def numbering_pg(ctx: Context) -> Result:
    server = _server(ctx.db_url)
    total = PROCESSES * PER_PROCESS
    run = _issue_on_fresh_database(server, PROCESSES, check=True)
    single = _issue_on_fresh_database(server, 1)
    value, baseline = total / run.seconds, PER_PROCESS / single.seconds
    print(
        f"    {PROCESSES} × {PER_PROCESS} : {run.seconds:.2f} s, {value:.1f} factures/s "
        f"(processus : {min(o.seconds for o in run.outcomes):.1f} à "
        f"{max(o.seconds for o in run.outcomes):.1f} s)",
        flush=True,
    )
    print(f"    {total} numéros consécutifs, aucun manquant ni en double : OK", flush=True)
    print(f"    1 × {PER_PROCESS} : {single.seconds:.2f} s, {baseline:.1f} factures/s", flush=True)
    return Result(value, baseline)


def _server(db_url: str | None) -> URL:
    """The PostgreSQL server to create the databases on (its ``postgres`` database)."""
    if db_url is not None:
        url = parse_database_url(db_url)
        if url.get_backend_name() == "postgresql":
            return url.set(database="postgres")
    return parse_database_url(os.environ.get("BACKOFFICE_TEST_PG", DEFAULT_SERVER))


def _issue_on_fresh_database(server: URL, processes: int, *, check: bool = False) -> Run:
    with _fresh_database(server) as url:
        db = Database(sa.make_url(url))
        try:
            upgrade(db)
            job = Job(url, billing_setup(db), PER_PROCESS, drafts_first=True)
            run = run_workers(job, processes)
            problems = numbering_problems(db, run, processes * PER_PROCESS) if check else []
        finally:
            db.dispose()
    if problems:
        raise SystemExit("numbering_pg : ÉCHEC de la numérotation\n  " + "\n  ".join(problems))
    return run


@contextmanager
def _fresh_database(server: URL) -> Iterator[str]:
    """A new empty database on ``server`` (its URL, password included), dropped after."""
    name = f"bo_bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()
