"""``backoffice db upgrade`` killed (SIGKILL) in the middle of the migrations, on SQLite.

A file at revision 0001 holding a product line is migrated by a child killed
right after a revision was stamped: the first, one in the middle, or the head
(just before the commit). Every revision runs in the one transaction
:func:`desktop.db.schema.upgrade` opens (SQLite's DDL is transactional, and
the engine issues ``BEGIN IMMEDIATE`` itself), so the file must be sound and
still exactly at 0001; ``db upgrade`` run again brings it to the head, equal
to the models, with its data.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from desktop.cli import main
from desktop.db import schema
from desktop.db.engine import Database, sqlite_url
from desktop.db.models import Base
from desktop.db.schema import SchemaState, SchemaStatus, alembic_config, current_state
from tests.crash.crash_checks import sqlite_problems
from tests.crash.crash_worker import run_until_paused

FIRST = "0001"
LATER = len(list(ScriptDirectory.from_config(alembic_config()).walk_revisions())) - 1
"""How many revisions ``db upgrade`` applies to a file at FIRST."""
PRODUCT_LINE = (
    "INSERT INTO product_line (id, code, name, initial_months_choices, initial_months, "
    "renewal_months, sla_applies, version, created_at, updated_at) VALUES (1, "
    "'HOSTED_EXCHANGE', 'Hosted Exchange', '12,24,36', 12, 12, 1, 1, "
    "'2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000')"
)


@pytest.fixture
def at_first(tmp_path: Path) -> Iterator[Path]:
    """A file migrated to FIRST only, holding one product line."""
    path = tmp_path / "ancienne.sqlite3"
    db = Database(sqlite_url(path))
    config = alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, FIRST)
        connection.exec_driver_sql(PRODUCT_LINE)
    db.dispose()
    yield path


def _look(path: Path) -> tuple[SchemaState, set[str], list[tuple[int, str]]]:
    """The schema's state, its tables and the product lines."""
    db = Database(sqlite_url(path))
    try:
        with db.engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            lines = connection.exec_driver_sql("SELECT id, name FROM product_line").all()
        return current_state(db), tables, [tuple(line) for line in lines]
    finally:
        db.dispose()


def _schema_differences(path: Path) -> list[object]:
    engine = sa.create_engine(sqlite_url(path))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "compare_server_default": True,
                    "include_name": schema.include_name,
                },
            )
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


@pytest.mark.parametrize("stamped", [1, LATER // 2, LATER], ids=["first", "middle", "head"])
def test_killed_upgrade_leaves_the_old_revision_and_a_rerun_finishes(
    at_first: Path, stamped: int
) -> None:
    before = _look(at_first)
    assert before[0] == SchemaState(SchemaStatus.BEHIND, FIRST)

    run_until_paused(
        "UPDATE alembic_version", stamped, ["cli", "--db", str(at_first), "db", "upgrade"]
    )

    assert sqlite_problems(at_first) == []
    assert _look(at_first) == before

    assert main(["--db", str(at_first), "db", "upgrade"]) == 0
    state, _, lines = _look(at_first)
    assert state.status is SchemaStatus.CURRENT
    assert lines == [(1, "Hosted Exchange")]
    assert _schema_differences(at_first) == []
    assert sqlite_problems(at_first) == []
