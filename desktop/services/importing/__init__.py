"""Importing the provider's existing spreadsheets: clients, domains, mailboxes.

A file (.xlsx or .csv) is read, its columns matched by header (French or
English names), every row checked in memory with the forms' rules; the
problems are listed by row and column. The import is all or nothing: one
problem and nothing is written; otherwise every row is written in one
transaction. A dry run checks the same way and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from desktop.db.engine import Database
from desktop.domain.roles import Permission
from desktop.services.access import requires
from desktop.services.conflicts import UniqueRule, write_scope
from desktop.services.importing.apply import add_clients, add_domains, add_mailboxes
from desktop.services.importing.columns import FIELDS, Field, ImportKind, match_columns
from desktop.services.importing.reading import load_bytes, read_sheet
from desktop.services.importing.template import template_bytes
from desktop.services.importing.validate import CHECKS, Problem, header_problems

__all__ = [
    "FIELDS",
    "Field",
    "ImportKind",
    "ImportReport",
    "Problem",
    "import_file",
    "summary_text",
    "template_bytes",
]


@dataclass(frozen=True)
class ImportReport:
    """What an import found and did; ``imported`` is 0 whenever there is a problem."""

    kind: ImportKind
    rows: int
    problems: tuple[Problem, ...]
    imported: int
    ignored_columns: tuple[str, ...]
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


_WRITERS: dict[ImportKind, Callable[[Session, list[dict[str, Any]], str], int]] = {
    ImportKind.CLIENTS: add_clients,
    ImportKind.DOMAINS: add_domains,
    ImportKind.MAILBOXES: add_mailboxes,
}

# Another desktop writing the same records between the check and the commit.
_RACES = (
    UniqueRule(
        "uq_client_code",
        "code",
        "Un code client du fichier vient d'être pris "
        "depuis un autre poste : rien n'a été importé, recommencez.",
    ),
    UniqueRule(
        "uq_domain_name",
        "domain_name",
        "Un domaine du fichier vient d'être "
        "enregistré depuis un autre poste : rien n'a été importé, recommencez.",
    ),
    UniqueRule(
        "uq_domain_primary_per_client",
        "is_primary",
        "Un domaine principal vient "
        "d'être désigné depuis un autre poste : rien n'a été importé, recommencez.",
    ),
    UniqueRule(
        "uq_mailbox_domain_id_local_part",
        "local_part",
        "Une adresse du fichier "
        "vient d'être créée depuis un autre poste : rien n'a été importé, recommencez.",
    ),
)


@requires(Permission.CUSTOMERS)
def import_file(
    db: Database,
    kind: ImportKind,
    path_or_bytes: Path | str | bytes,
    *,
    filename: str | None = None,
    dry_run: bool = False,
    actor: str,
) -> ImportReport:
    """Check the file, then (not ``dry_run``, no problem) write every row at once.

    An unreadable file (empty, binary, corrupt workbook, unknown encoding)
    raises a French :class:`~desktop.errors.UserError`; problems of rows and
    columns are in the report, and then nothing is written.
    """
    data, name = load_bytes(path_or_bytes, filename)
    sheet = read_sheet(data, name)
    columns = match_columns(kind, sheet.headers)
    problems = header_problems(columns, sheet.header_row)
    if problems:
        return ImportReport(kind, len(sheet.rows), tuple(problems), 0, columns.ignored, dry_run)
    if not sheet.rows:
        problem = Problem(sheet.header_row, "", "Le fichier n'a aucune ligne sous l'en-tête.")
        return ImportReport(kind, 0, (problem,), 0, columns.ignored, dry_run)
    imported = 0
    if dry_run:
        with db.read_session() as session:
            checked = CHECKS[kind](session, sheet, columns)
    else:
        with write_scope(db, unique=_RACES) as session:
            checked = CHECKS[kind](session, sheet, columns)
            if not checked.problems:
                imported = _WRITERS[kind](session, checked.values, actor)
    # By row, then in the order of the file's columns (the rules run in their own order).
    order = {header: position for position, header in reversed(list(enumerate(sheet.headers)))}
    problems = sorted(checked.problems, key=lambda p: (p.row, order.get(p.column, len(order))))
    return ImportReport(kind, len(sheet.rows), tuple(problems), imported, columns.ignored, dry_run)


def summary_text(report: ImportReport) -> str:
    """« 120 clients importés. » or « 0 ligne importée : 3 problème(s) (rien n'a été importé). »"""
    if report.problems:
        return f"0 ligne importée : {len(report.problems)} problème(s) (rien n'a été importé)."
    noun = report.kind.label
    if report.dry_run:
        rows = "ligne vérifiée" if report.rows == 1 else "lignes vérifiées"
        return f"{report.rows} {rows}, aucun problème : prêt à importer ({noun})."
    done = report.imported
    if report.kind is ImportKind.MAILBOXES:
        what = "boîte aux lettres importée" if done == 1 else "boîtes aux lettres importées"
    elif done == 1:
        what = "client importé" if report.kind is ImportKind.CLIENTS else "domaine importé"
    else:
        what = f"{noun} importés"
    return f"{done} {what}."
