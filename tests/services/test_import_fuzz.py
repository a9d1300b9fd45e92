"""Fuzzed import inputs: damaged workbooks, and rows mixing valid and wrong values.

``test_import.py`` fuzzes the CSV reader with arbitrary bytes; here a real
workbook (the import template) has one of its XML parts cut, emptied or
mangled, and whole imports run (not dry) on rows built from valid values with
some cells replaced by junk. Whatever comes in: a report or one French
:class:`UserError`, and all or nothing written.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from desktop.db.engine import Database
from desktop.db.models import Domain, LifecycleEvent, Mailbox
from desktop.errors import UserError
from desktop.services.importing import ImportKind, import_file, template_bytes
from desktop.services.importing.reading import read_sheet
from tests.services.factories import ACTOR, world

TEMPLATE = template_bytes(ImportKind.MAILBOXES)
with zipfile.ZipFile(io.BytesIO(TEMPLATE)) as _archive:
    PARTS = {name: _archive.read(name) for name in _archive.namelist()}

JUNK = st.text(alphabet='<>"=/&;#x0123456789azAZé\x00\u200b', max_size=20)


@dataclass(frozen=True)
class Damage:
    """One part of the template cut short at ``at``, with ``junk`` inserted there,
    emptied or left out (small, for Hypothesis to show when a case fails)."""

    part: str
    how: str
    at: int
    junk: str

    def workbook(self) -> bytes:
        content = PARTS[self.part]
        changed = {
            "cut": content[: self.at],
            "junk": content[: self.at] + self.junk.encode() + content[self.at :],
        }.get(self.how, b"")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, original in PARTS.items():
                if name != self.part:
                    archive.writestr(name, original)
                elif self.how != "missing":
                    archive.writestr(name, changed)
        return buffer.getvalue()


@st.composite
def damages(draw: st.DrawFn) -> Damage:
    part = draw(st.sampled_from(sorted(PARTS)))
    at = draw(st.integers(0, len(PARTS[part])))
    return Damage(part, draw(st.sampled_from(["cut", "junk", "empty", "missing"])), at, draw(JUNK))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damages())
def test_a_damaged_workbook_reads_or_explains(damage: Damage) -> None:
    try:
        sheet = read_sheet(damage.workbook(), "abime.xlsx")
    except UserError as exc:
        assert "« abime.xlsx »" in exc.message and "\n" not in exc.message
        return
    assert all(isinstance(cell, str) for row in sheet.rows for cell in row.cells)


MAILBOX_HEADERS = ["Adresse e-mail", "Formule", "Contrat", "Nom affiché", "Quota (Go)"]
DOMAIN_HEADERS = ["Client", "Nom de domaine", "Principal"]
CELL_JUNK = st.text(alphabet="@.-_ éaZ0;\"'=\n\u200b", max_size=12)


def _mostly(valid: list[str], wrong: list[str]) -> st.SearchStrategy[str]:
    """A valid value three times out of four (when the lists are the same length)."""
    return st.sampled_from(valid * 3 + wrong)


def _mailbox_row(n: int) -> st.SearchStrategy[list[str]]:
    return st.tuples(
        _mostly(["jean", "Paul.Martin", "x", "a-b"], ["é"]),
        _mostly(["acme.fr", "ACME.fr"], ["inconnu.fr", "acme"]),
        _mostly(["HE-STD", "he-plus", "O365-BUS"], ["XX", "HE"]),
        _mostly(["", "C2026-00001"], ["C1999-99999", "C2026-00002"]),
        st.sampled_from(["", "Jean Dupont", "Ça va"]),
        _mostly(["", "10", "50"], ["0", "-1", "dix"]),
    ).map(lambda r: [f"{r[0]}{n}@{r[1]}", *r[2:]])


def _domain_row(n: int) -> st.SearchStrategy[list[str]]:
    return st.tuples(
        _mostly(["CL00001"], ["CL09999"]),
        _mostly(["fr", "com", "café"], ["-x", ""]),
        _mostly(["", "oui", "non"], ["peut-être"]),
    ).map(lambda r: [r[0], f"d{n}.{r[1]}", r[2]])


@st.composite
def rows_with_junk(
    draw: st.DrawFn, row: Callable[[int], st.SearchStrategy[list[str]]]
) -> list[list[str]]:
    """1 to 4 rows of (mostly) valid values, a cell replaced by junk now and then."""
    rows = [draw(row(n)) for n in range(draw(st.integers(1, 4)))]
    for _ in range(draw(st.integers(0, 1))):
        line = draw(st.integers(0, len(rows) - 1))
        rows[line][draw(st.integers(0, len(rows[line]) - 1))] = draw(CELL_JUNK)
    return rows


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _count(db: Database, model: type[Any]) -> int:
    with db.read_session() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def _all_or_nothing(
    db: Database, kind: ImportKind, model: type[Any], rows: list[list[str]], headers: list[str]
) -> None:
    before = _count(db, model)
    try:
        report = import_file(db, kind, _csv([headers, *rows]), filename="f.csv", actor=ACTOR)
    except UserError:
        event("refused file")
        assert _count(db, model) == before
        return
    written = _count(db, model) - before
    if report.problems:
        event("problems, nothing written")
        assert (report.imported, written) == (0, 0)
    else:
        event("every row written")
        assert report.imported == written == len(rows)


FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _fresh_world(db: Database) -> None:
    """The factories' world, made by the first example; what an earlier example
    imported is deleted, so that each one starts from the same database."""
    with db.session_scope() as session:
        kept = session.scalar(sa.select(sa.func.min(Domain.id)))
        if kept is not None:
            session.execute(sa.delete(Mailbox))
            session.execute(sa.delete(LifecycleEvent).where(LifecycleEvent.domain_id != kept))
            session.execute(sa.delete(Domain).where(Domain.id != kept))
    if kept is None:
        world(db)


@FUZZ
@given(rows_with_junk(_mailbox_row))
def test_mailbox_import_is_all_or_nothing(sqlite_db: Database, rows: list[list[str]]) -> None:
    _fresh_world(sqlite_db)
    _all_or_nothing(sqlite_db, ImportKind.MAILBOXES, Mailbox, rows, MAILBOX_HEADERS)


@FUZZ
@given(rows_with_junk(_domain_row))
def test_domain_import_is_all_or_nothing(sqlite_db: Database, rows: list[list[str]]) -> None:
    _fresh_world(sqlite_db)
    _all_or_nothing(sqlite_db, ImportKind.DOMAINS, Domain, rows, DOMAIN_HEADERS)
