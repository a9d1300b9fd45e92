"""« Fichier > Journal d'audit… »: the changes listed, filtered, detailed and exported."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from factories import business_draft, client
from openpyxl import load_workbook  # type: ignore[import-untyped]
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.qtbot import QtBot
from window_helpers import WAIT, click, screenshot

from desktop.db.engine import Database
from desktop.db.models import StaffUser
from desktop.domain.enums import StaffRole
from desktop.services.clients import update_client
from desktop.ui.db_worker import DbWorker
from desktop.ui.dialogs.audit_dialog import AuditDialog

pytestmark = pytest.mark.usefixtures("fresh_settings")

MODE = QAbstractItemModelTester.FailureReportingMode.Warning


@pytest.fixture
def worker() -> Iterator[DbWorker]:
    worker = DbWorker()
    yield worker
    worker.stop()


def open_dialog(qtbot: QtBot, db: Database, worker: DbWorker, actor: str = "admin") -> AuditDialog:
    dialog = AuditDialog(None, db=db, worker=worker, actor=actor, today=lambda: date(2026, 11, 23))
    qtbot.addWidget(dialog)
    QAbstractItemModelTester(dialog.model, MODE)
    QAbstractItemModelTester(dialog.changes, MODE)
    dialog.show()
    wait_loaded(qtbot, dialog)
    return dialog


def wait_loaded(qtbot: QtBot, dialog: AuditDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.loading, timeout=WAIT)


def history(db: Database) -> int:
    """A client created by jdupont, then its phone changed by mmartin."""
    created = client(db, phone="01 02 03 04 05")
    update_client(
        db,
        created.id,
        business_draft(phone="06 07 08 09 10"),
        expected_version=created.version,
        actor="mmartin",
    )
    return created.id


def test_the_trail_newest_first_with_the_details_of_a_row(
    qtbot: QtBot, db: Database, worker: DbWorker
) -> None:
    client_id = history(db)
    dialog = open_dialog(qtbot, db, worker)
    rows = dialog.model.rows()
    assert [(r.user, r.element, r.action.label) for r in rows] == [
        ("mmartin", "Client Acme Industrie", "Modification"),
        ("tester", "Client Acme Industrie", "Création"),
    ]
    assert {r.entity_id for r in rows} == {client_id}
    assert dialog.model.index(0, 4).data() == "Téléphone : 01 02 03 04 05 → 06 07 08 09 10"
    assert dialog.status.text() == "2 ligne(s)"
    # The newest row is selected: its fields below.
    assert [(c.label, c.before, c.after) for c in dialog.changes.rows()] == [
        ("Téléphone", "01 02 03 04 05", "06 07 08 09 10")
    ]
    dialog.table.selectRow(1)
    assert dialog.model.index(1, 4).data().startswith("Code : CL00001 ; Type : Entreprise ; ")
    created = {c.label: (c.before, c.after) for c in dialog.changes.rows()}
    assert created["Nom"] == ("—", "Acme Industrie")
    assert created["Type"] == ("—", "Entreprise")
    assert created["Statut"] == ("—", "Actif")
    screenshot(qtbot, dialog, "audit_dialog")


def test_filter_by_user_then_export(
    qtbot: QtBot, db: Database, worker: DbWorker, tmp_path: Path
) -> None:
    history(db)
    dialog = open_dialog(qtbot, db, worker)
    qtbot.waitUntil(lambda: dialog.user.findData("mmartin") >= 0, timeout=WAIT)
    dialog.user.setCurrentIndex(dialog.user.findData("mmartin"))
    wait_loaded(qtbot, dialog)
    assert [(r.user, r.action.label) for r in dialog.model.rows()] == [("mmartin", "Modification")]

    target = tmp_path / "journal.xlsx"
    dialog.ask_path = lambda: target  # type: ignore[method-assign]
    click(qtbot, dialog.export_button)
    wait_loaded(qtbot, dialog)
    assert dialog.status.text() == f"1 ligne(s) exportée(s) dans {target}"
    sheet = load_workbook(target).active
    values = [tuple(cell for cell in row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "Journal d'audit"
    assert str(values[1][0]).endswith("— filtre : utilisateur mmartin")
    assert values[3] == ("Date", "Utilisateur", "Élément", "Action", "Modifications")
    assert values[4][1:] == (
        "mmartin",
        "Client Acme Industrie",
        "Modification",
        "Téléphone : 01 02 03 04 05 → 06 07 08 09 10",
    )
    assert len(values) == 5


def test_the_search_and_the_kind_narrow_the_list(
    qtbot: QtBot, db: Database, worker: DbWorker
) -> None:
    history(db)
    dialog = open_dialog(qtbot, db, worker)
    dialog.search.setText("06 07")
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=WAIT)
    assert dialog.model.row(0).user == "mmartin"
    dialog.search.setText("")
    dialog.kind.setCurrentIndex(dialog.kind.findData("mailbox"))
    wait_loaded(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 0, timeout=WAIT)
    assert dialog.status.text() == "0 ligne(s)"


def test_only_administrators_read_the_trail(qtbot: QtBot, db: Database, worker: DbWorker) -> None:
    with db.session_scope() as session:
        session.add(StaffUser(login="admin", full_name="Alice Admin", role=StaffRole.ADMIN))
        session.add(StaffUser(login="support", full_name="Sam Support", role=StaffRole.SUPPORT))
    dialog = open_dialog(qtbot, db, worker, actor="support")
    assert dialog.model.rowCount() == 0
    assert dialog.status.text() == (
        "Votre rôle « Support » ne permet pas de consulter le journal d'audit. "
        "Rien n'a été enregistré."
    )
    allowed = open_dialog(qtbot, db, worker, actor="admin")
    assert [r.entity for r in allowed.model.rows()] == ["staff_user", "staff_user"]
