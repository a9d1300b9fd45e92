"""« Mandats SEPA… » of a client record: a mandate typed in, revoked, printed."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.qtbot import QtBot
from window_helpers import WAIT, OpenedUrls, click, click_action, make_window, open_view, screenshot

from desktop.db.engine import Database
from desktop.domain.enums import MandateStatus
from desktop.services.mandates import list_mandates
from desktop.ui.dialogs.mandates_dialog import MandateRow, MandatesDialog
from desktop.ui.tabs.specs import RecordKind

pytestmark = pytest.mark.usefixtures("fresh_settings")

MODE = QAbstractItemModelTester.FailureReportingMode.Fatal
CLIENT_ID = 15  # Guyot Solutions, in the demo: no mandate yet (not renewed yet)
BAD_IBAN = "FR14 2004 1010 0505 0001 3M02 607"
GOOD_IBAN = "FR14 2004 1010 0505 0001 3M02 606"


def open_mandates(qtbot: QtBot, db: Database) -> MandatesDialog:
    window = make_window(qtbot, db)
    view = open_view(qtbot, window, RecordKind.CLIENT, CLIENT_ID)
    dialog = click_action(qtbot, view, "Mandats SEPA…")
    assert isinstance(dialog, MandatesDialog)
    qtbot.waitUntil(lambda: dialog.status.text() == "Aucun mandat enregistré.", timeout=WAIT)
    return dialog


def create(qtbot: QtBot, dialog: MandatesDialog) -> MandateRow:
    click(qtbot, dialog.new_button)
    form = dialog.form_dialog
    assert form is not None
    qtbot.waitUntil(form.isVisible, timeout=WAIT)
    assert form.debtor_name.text() == "Guyot Solutions"  # the client's name by default
    assert form.debtor_address.toPlainText()
    qtbot.keyClicks(form.iban, BAD_IBAN)
    error = form.form.fields["iban"].label
    assert error is not None and error.isVisible()
    assert "IBAN" in error.text() or "clé" in error.text()
    assert not form.action_button.isEnabled()
    screenshot(qtbot, form, "mandate_form_bad_iban")
    form.iban.clear()
    qtbot.keyClicks(form.iban, GOOD_IBAN)
    assert not error.isVisible()
    qtbot.keyClicks(form.bic, "PSSTFRPP")
    with qtbot.waitSignal(form.completed, timeout=WAIT):
        click(qtbot, form.action_button)
    qtbot.waitUntil(lambda: len(dialog.model.rows()) == 1, timeout=WAIT)
    return dialog.model.rows()[0]


def test_create_revoke_and_print_a_mandate(
    qtbot: QtBot, demo_db: Database, opened_urls: OpenedUrls
) -> None:
    dialog = open_mandates(qtbot, demo_db)
    tester = QAbstractItemModelTester(dialog.model, MODE)
    row = create(qtbot, dialog)
    made = row.mandate
    assert made.rum.startswith("BOM-")
    assert dialog.model.index(0, 0).data() == made.rum
    assert dialog.model.index(0, 3).data() == "FR14 2004 1010 0505 0001 3M02 606"
    assert dialog.model.index(0, 5).data() == "Actif"
    assert dialog.model.index(0, 6).data() == "—"
    assert made.rum in dialog.status.text()
    assert [m.rum for m in list_mandates(demo_db, CLIENT_ID)] == [made.rum]
    qtbot.waitUntil(lambda: dialog.selected() is not None, timeout=WAIT)
    screenshot(qtbot, dialog, "mandates_dialog")

    # Printed: the PDF opened holds the mandate's reference.
    click(qtbot, dialog.print_button)
    qtbot.waitUntil(lambda: bool(opened_urls), timeout=WAIT)
    printed = Path(opened_urls[0])
    assert printed.name == f"Mandat {made.rum}.pdf"
    text = " ".join(page.extract_text() for page in PdfReader(printed).pages)
    assert made.rum in text

    # Revoked: the confirmation is asked, then the list shows it.
    click(qtbot, dialog.revoke_button)
    revoke = dialog.revoke_dialog
    assert revoke is not None
    qtbot.waitUntil(revoke.isVisible, timeout=WAIT)
    assert not revoke.action_button.isEnabled()
    revoke.confirm.setChecked(True)
    screenshot(qtbot, revoke, "mandate_revoke")
    with qtbot.waitSignal(revoke.completed, timeout=WAIT):
        click(qtbot, revoke.action_button)
    qtbot.waitUntil(lambda: dialog.model.index(0, 5).data() == "Révoqué", timeout=WAIT)
    assert list_mandates(demo_db, CLIENT_ID)[0].status is MandateStatus.REVOKED
    assert not dialog.revoke_button.isEnabled()
    assert dialog.print_button.isEnabled()
    del tester


def test_a_second_active_mandate_is_refused_in_the_form(qtbot: QtBot, demo_db: Database) -> None:
    dialog = open_mandates(qtbot, demo_db)
    create(qtbot, dialog)
    click(qtbot, dialog.new_button)
    form = dialog.form_dialog
    assert form is not None
    qtbot.waitUntil(form.isVisible, timeout=WAIT)
    qtbot.keyClicks(form.iban, GOOD_IBAN)
    click(qtbot, form.action_button)
    qtbot.waitUntil(lambda: form.form.general_error.isVisible(), timeout=WAIT)
    assert "révoquez-le" in form.form.general_error.text()
    assert form.isVisible()
