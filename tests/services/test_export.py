"""Lists exported as shown: the same rows, in the same order, as the list services give."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from desktop.db.engine import Database
from desktop.documents.xlsx import HEADER_ROW, CellType, ExportCancelled
from desktop.domain.enums import MailboxStatus
from desktop.errors import UserError
from desktop.services.export import (
    EXPORTS,
    ExportSpec,
    describe_query,
    export_rows,
    export_table,
    parse_filters,
)
from desktop.services.listing import MAX_LIMIT, ListQuery
from desktop.ui.models.paged_model import CellKind
from desktop.ui.tabs import specs as tab_specs
from tests.services.factories import client, mailbox, world

TYPES = {
    CellKind.TEXT: CellType.TEXT,
    CellKind.STATUS: CellType.TEXT,
    CellKind.SUPPORT_LEFT: CellType.TEXT,
    CellKind.INT: CellType.INT,
    CellKind.MONEY: CellType.MONEY,
    CellKind.DATE: CellType.DATE,
    CellKind.DATETIME: CellType.DATETIME,
    CellKind.BOOL: CellType.BOOL,
}
TABS = {
    "clients": tab_specs.CLIENTS,
    "domains": tab_specs.DOMAINS,
    "mailboxes": tab_specs.MAILBOXES,
    "contracts": tab_specs.CONTRACTS,
    "invoices": tab_specs.INVOICES,
    "incidents": tab_specs.INCIDENTS,
    "quotes": tab_specs.QUOTES,
}


def listed(db: Database, spec: ExportSpec, query: ListQuery) -> list[Any]:
    """Every row of the list service for ``query``, page after page, as the tab shows."""
    rows: list[Any] = []
    while True:
        page = spec.fetch(db, dataclasses.replace(query, offset=len(rows), limit=MAX_LIMIT))
        rows.extend(page.rows)
        if len(page.rows) < MAX_LIMIT:
            return rows


def expected(spec: ExportSpec, row: Any) -> tuple[Any, ...]:
    values = []
    for column in spec.columns:
        value = column.value(row) if column.value else getattr(row, column.field)
        values.append(getattr(value, "label", value) if column.type is CellType.TEXT else value)
    return tuple(values)


def test_the_columns_are_the_tabs_columns() -> None:
    assert set(EXPORTS) == set(TABS)
    for name, tab in TABS.items():
        exported = [(c.title, c.field, c.type, c.sort) for c in EXPORTS[name].columns]
        shown = [(c.title, c.field, TYPES[c.kind], c.sort) for c in tab.columns]
        assert exported == shown, name
        assert (EXPORTS[name].default_sort, EXPORTS[name].descending) == (
            tab.default_sort,
            tab.descending,
        )
        for flt in tab.filters:
            assert EXPORTS[name].filters[flt.name].caption == flt.caption


@pytest.mark.parametrize("table", list(EXPORTS))
def test_each_table_exports_the_rows_of_its_list(demo_db: Database, table: str) -> None:
    spec = EXPORTS[table]
    for query in (spec.query(), dataclasses.replace(spec.query(), descending=True)):
        rows = list(export_rows(demo_db, table, query, batch=7))
        wanted = [expected(spec, row) for row in listed(demo_db, spec, query)]
        assert rows == wanted
        assert rows or table in ("incidents", "quotes")  # the demo data has no quotes yet


def test_search_filters_and_sort_are_the_lists(db: Database) -> None:
    w = world(db)
    for local in ("alice", "bob", "carole", "dupont.anne", "dupont.zoe"):
        mailbox(db, w, local, display_name=f"{local.title()} Test")
    query = ListQuery(
        search="dupont",
        filters={"status": MailboxStatus.REQUESTED.value, "client_id": w.client_id},
        sort="display_name",
        descending=True,
    )
    spec = EXPORTS["mailboxes"]
    rows = list(export_rows(db, "mailboxes", query))
    assert [row[0] for row in rows] == ["dupont.zoe@acme.fr", "dupont.anne@acme.fr"]
    assert rows == [expected(spec, row) for row in listed(db, spec, query)]
    assert rows[0][3] == "Demandée"  # the status's French label


def test_the_file_matches_the_screen(db: Database, tmp_path: Path) -> None:
    client(db, name='=HYPERLINK("http://x","Cliquez")')
    client(db, name="Zoé Bio", siren="552100554")
    target = tmp_path / "clients.xlsx"
    moments: list[tuple[int, int]] = []
    count = export_table(
        db,
        "clients",
        target,
        progress=lambda done, total: moments.append((done, total)),
        now=datetime(2026, 11, 23, 9, 5, tzinfo=UTC),
    )
    assert count == 2 and moments[-1] == (2, 2)
    sheet = load_workbook(target).active
    assert sheet.title == "Clients"
    assert sheet["A1"].value == "Clients"
    assert sheet["A2"].value == "Exporté le 23/11/2026 à 10:05 — filtre : aucun, tri : Nom ↑"
    header = [cell.value for cell in sheet[HEADER_ROW]]
    assert header == [column.title for column in tab_specs.CLIENTS.columns]
    first, second = (list(sheet[HEADER_ROW + n]) for n in (1, 2))
    assert first[1].value == '=HYPERLINK("http://x","Cliquez")'
    assert first[1].data_type == "s" and first[1].quotePrefix
    assert second[1].value == "Zoé Bio" and second[3].value == "Actif"
    assert second[8].value == 0 and second[8].data_type == "n"


def test_bad_filters_and_sorts_are_the_services_errors(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "x.xlsx"
    with pytest.raises(UserError, match="non valable pour le filtre « status »"):
        export_table(db, "mailboxes", target, query=ListQuery(filters={"status": "zzz"}))
    with pytest.raises(UserError, match="Tri inconnu"):
        export_table(db, "clients", target, query=ListQuery(sort="zzz"))
    with pytest.raises(UserError, match="Table inconnue"):
        export_table(db, "nope", target)
    assert list(folder.iterdir()) == []


def test_a_cancelled_export_leaves_no_file(db: Database, tmp_path: Path) -> None:
    client(db, name="Acme")
    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(ExportCancelled):
        export_table(db, "clients", folder / "x.xlsx", cancelled=lambda: True)
    assert list(folder.iterdir()) == []


def test_the_note_describes_the_query() -> None:
    spec = EXPORTS["mailboxes"]
    query = ListQuery(
        search=" dupont ",
        filters={"status": "active", "client_id": 12, "product_line": None},
        sort="client",
        descending=True,
    )
    assert describe_query(spec, query) == (
        "recherche « dupont », État : Active, Client : n° 12, tri : Client ↓"
    )
    named = describe_query(spec, query, {"client_id": "Acme"})
    assert "Client : Acme" in named


def test_command_line_filters() -> None:
    assert parse_filters("mailboxes", ["status=Active", "client_id=3"]) == {
        "status": "active",
        "client_id": 3,
    }
    assert parse_filters("domains", ["is_primary=oui"]) == {"is_primary": True}
    assert parse_filters("clients", ["status=active", "status=suspended"]) == {
        "status": ["active", "suspended"]
    }
    with pytest.raises(UserError, match="NOM=VALEUR"):
        parse_filters("clients", ["status"])
