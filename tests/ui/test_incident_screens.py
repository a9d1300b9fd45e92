"""Failure notifications as staff record them: the dialog, the record, the list's deadline."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from dialog_helpers import assert_fits_small_screen, message, shown
from factories import World, mailbox, world
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QFormLayout
from pytestqt.qtbot import QtBot
from window_helpers import WAIT, make_window, plain, screenshot

from desktop.db.engine import Database
from desktop.domain.clock import PARIS
from desktop.domain.enums import IncidentChannel, IncidentStatus
from desktop.services.incidents import (
    IncidentDraft,
    create_incident,
    get_incident,
    update_incident,
)
from desktop.ui.dialogs.incident_dialog import IncidentDialog
from desktop.ui.tabs.specs import RecordKind
from desktop.ui.views.incident_view import IncidentView

pytestmark = pytest.mark.usefixtures("fresh_settings")

FRIDAY = datetime(2026, 5, 22, 17, 30, tzinfo=PARIS)  # before Pentecost Monday


def open_dialog(qtbot: QtBot, db: Database, **kwargs: object) -> IncidentDialog:
    dialog = IncidentDialog(None, db=db, actor="moi", now=FRIDAY, **kwargs)  # type: ignore[arg-type]
    return shown(qtbot, dialog)


def record_fields(view: IncidentView) -> dict[str, str]:
    """Caption → plain text of the fields the record shows."""
    shown = {}
    for row in range(view.form.rowCount()):
        caption = view.form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget()
        value = view.form.itemAt(row, QFormLayout.ItemRole.FieldRole).widget()
        document = QTextDocument()
        document.setHtml(value.text())  # type: ignore[attr-defined]
        shown[caption.text().removesuffix(" :")] = plain(document.toPlainText())  # type: ignore[attr-defined]
    return shown


def notified(db: Database, w: World, **changes: object) -> int:
    draft = IncidentDraft(
        client_id=w.client_id,
        product_line_id=w.he_line_id,
        domain_id=w.domain_id,
        mailbox_ids=(),
        channel=IncidentChannel.PHONE,
        received_at=FRIDAY,
        description="Plus de réception de courriels",
    )
    fields = {**draft.__dict__, **changes}
    return create_incident(db, IncidentDraft(**fields), actor="moi").id  # type: ignore[arg-type]


def test_a_notification_is_typed_numbered_and_its_deadline_shown(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    w = world(sqlite_db)
    jean = mailbox(sqlite_db, w, "jean").id
    mailbox(sqlite_db, w, "paul")
    dialog = open_dialog(qtbot, sqlite_db, client_id=w.client_id)
    assert dialog.received_at.text() == "22/05/2026 17:30"
    # 30 minutes on Friday, Monday is Pentecost: the 8 support hours end on Tuesday.
    assert dialog.deadline.text() == (
        "Rétablissement attendu avant le 26/05/2026 16:30 (8 h ouvrées)."
    )
    assert dialog.mailboxes.list.count() == 2
    assert not dialog.save_button.isEnabled()

    dialog.received_at.setText("22/05/2026 25:00")
    assert message(dialog, "received_at") == "Cette heure n'existe pas : 22/05/2026 25:00."
    dialog.received_at.setText("22/05/2026 17h30")
    assert message(dialog, "received_at") == ""
    dialog.product_line.select(w.he_line_id)
    dialog.domain.select(w.domain_id)
    dialog.channel.set_value(IncidentChannel.EMAIL)
    qtbot.keyClicks(dialog.description, "Messages bloques en file d'attente")
    dialog.mailboxes.set_checked(jean, True)
    dialog.restored_at.setText("22/05/2026 16:00")  # before the receipt
    assert dialog.save_button.isEnabled()
    dialog.save_button.click()
    assert dialog.result() != IncidentDialog.DialogCode.Accepted
    assert "restored_at" in {k for k in dialog.form.fields if message(dialog, k)}
    dialog.restored_at.clear()
    assert_fits_small_screen(dialog, tmp_path / "incident.png")
    screenshot(qtbot, dialog, "incident_dialog")
    dialog.save_button.click()
    saved = dialog.saved
    assert saved is not None
    assert saved.number == "ND-2026-00001"
    assert saved.status is IncidentStatus.OPEN
    assert [address for _id, address in saved.mailboxes] == ["jean@acme.fr"]
    assert saved.clock.restoration_deadline == datetime(2026, 5, 26, 16, 30, tzinfo=PARIS)


def test_the_record_shows_the_deadline_then_closes(qtbot: QtBot, sqlite_db: Database) -> None:
    w = world(sqlite_db)
    incident_id = notified(sqlite_db, w)
    window = make_window(qtbot, sqlite_db)
    window.open_record(RecordKind.INCIDENT, incident_id)
    view = window.current_tab.view
    assert isinstance(view, IncidentView)
    qtbot.waitUntil(lambda: view.record is not None, timeout=WAIT)
    assert record_fields(view)["Délai de rétablissement"].startswith(
        "26/05/2026 16:30 — dépassé de "
    )
    close = view.button("Clore")
    assert close is not None and not close.isEnabled()  # not restored yet

    record = get_incident(sqlite_db, incident_id)
    restored = IncidentDraft(
        client_id=w.client_id,
        product_line_id=w.he_line_id,
        domain_id=w.domain_id,
        mailbox_ids=(),
        channel=IncidentChannel.PHONE,
        received_at=FRIDAY,
        description="Plus de réception de courriels",
        restored_at=datetime(2026, 5, 26, 10, 0, tzinfo=PARIS),
    )
    update_incident(sqlite_db, incident_id, restored, expected_version=record.version, actor="moi")
    view.refresh()
    qtbot.waitUntil(
        lambda: view.record is not None and view.record.status is IncidentStatus.RESTORED,
        timeout=WAIT,
    )
    close = view.button("Clore")
    assert close is not None and close.isEnabled()
    screenshot(qtbot, window, "incident_record")


def test_the_list_shows_the_support_time_left_in_colour(qtbot: QtBot, sqlite_db: Database) -> None:
    w = world(sqlite_db)
    notified(sqlite_db, w)
    window = make_window(qtbot, sqlite_db)
    window.show_tab(4)
    tab = window.current_tab
    assert tab.spec.kind is RecordKind.INCIDENT
    model = tab.panel.model
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=WAIT)
    column = [c.title for c in model.columns].index("Délai de rétablissement")
    index = model.index(0, column)
    qtbot.waitUntil(lambda: model.data(index) is not None, timeout=WAIT)
    assert plain(model.data(index)).startswith("dépassé de ")
    assert model.data(index, Qt.ItemDataRole.ForegroundRole).name() == "#c0262d"
