"""The buttons of the client and domain records: access codes shown once, anti-spam,
the administrator's certification, the DNS sheet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from dialog_helpers import answer_message_box
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.qtbot import QtBot
from shiboken6 import isValid
from window_helpers import (
    WAIT,
    OpenedUrls,
    click,
    click_action,
    confirm_and_close,
    fill_reason,
    make_window,
    open_view,
    screenshot,
    tab_titles,
    wait_reloaded,
)

from desktop.db.engine import Database
from desktop.domain.enums import AccessCodeAction
from desktop.paths import log_dir
from desktop.services.access_codes import access_code_log
from desktop.services.domains import get_domain
from desktop.ui.dialogs.access_code_dialog import AccessCodeDialog
from desktop.ui.dialogs.reason_dialog import ReasonDialog
from desktop.ui.tabs.specs import RecordKind
from desktop.ui.views import domain_actions as da
from desktop.ui.views.access_codes import AccessCodesPanel
from desktop.ui.views.records import ClientView, DomainView

pytestmark = pytest.mark.usefixtures("fresh_settings")

CLIENT_ID = 3  # Optique Martin, in the demo
DOMAIN_ID = 3  # optiquemartin.com


# --- access codes ------------------------------------------------------------------------


def codes_panel(qtbot: QtBot, db: Database) -> tuple[ClientView, AccessCodesPanel]:
    window = make_window(qtbot, db)
    view = open_view(qtbot, window, RecordKind.CLIENT, CLIENT_ID)
    assert isinstance(view, ClientView)
    panel = view.access_codes
    view.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: tab_titles(view)[-1] != "Codes d'accès", timeout=WAIT)
    return view, panel


def issue(qtbot: QtBot, panel: AccessCodesPanel, button: str, reason: str) -> AccessCodeDialog:
    click(qtbot, panel.issue_button if button == "issue" else panel.lost_button)
    dialog = panel.view.dialog
    assert isinstance(dialog, ReasonDialog)
    fill_reason(dialog, reason)
    confirm_and_close(qtbot, dialog)
    code_dialog = panel.code_dialog
    assert code_dialog is not None
    qtbot.waitUntil(code_dialog.isVisible, timeout=WAIT)
    return code_dialog


def stored_bytes(db: Database) -> bytes:
    """Everything the database and the logs hold on disk."""
    database = Path(str(db.engine.url.database))
    files = [*database.parent.glob(f"{database.name}*"), *log_dir().glob("*")]
    return b"".join(path.read_bytes() for path in files if path.is_file())


def test_an_access_code_is_shown_once_then_gone(qtbot: QtBot, demo_db: Database) -> None:
    view, panel = codes_panel(qtbot, demo_db)
    QAbstractItemModelTester(panel.model, QAbstractItemModelTester.FailureReportingMode.Warning)
    before = len(panel.entries())
    screenshot(qtbot, view, "client_access_codes")
    dialog = issue(qtbot, panel, "issue", "Demande de l'administrateur par téléphone.")
    code = dialog.code.text()
    assert re.fullmatch(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)+", code)
    assert dialog.login.text() == "admin@optiquemartin.com"
    assert dialog.code.font().fixedPitch() or dialog.code.font().pointSize() >= 22
    screenshot(qtbot, dialog, "access_code_dialog")
    click(qtbot, dialog.copy_button)
    assert QGuiApplication.clipboard().text() == code
    click(qtbot, dialog.close_button)
    qtbot.waitUntil(lambda: not isValid(dialog), timeout=WAIT)
    assert panel.code_dialog is None
    qtbot.waitUntil(lambda: len(panel.entries()) == before + 1, timeout=WAIT)
    entry = panel.entries()[0]
    assert (entry.action, entry.by) == (AccessCodeAction.ISSUED, "poste-test")
    assert entry.reason == "Demande de l'administrateur par téléphone."
    assert panel.model.index(0, 1).data() == "Émis"
    assert view.notice.text() == "Code d'accès remis ; l'émission est journalisée."
    assert code.encode() not in stored_bytes(demo_db)


def test_closing_before_the_code_is_handed_over_asks_first(qtbot: QtBot, demo_db: Database) -> None:
    _view, panel = codes_panel(qtbot, demo_db)
    dialog = issue(qtbot, panel, "issue", "Activation du service.")
    seen = answer_message_box("Revenir")
    click(qtbot, dialog.close_button)
    qtbot.waitUntil(lambda: bool(seen), timeout=WAIT)
    assert dialog.isVisible() and dialog.code.text()
    seen = answer_message_box("Fermer")
    click(qtbot, dialog.close_button)
    qtbot.waitUntil(lambda: not isValid(dialog), timeout=WAIT)
    assert "il ne pourra plus être affiché" in seen[0]


def test_a_lost_code_is_deactivated_and_replaced(
    qtbot: QtBot, demo_db: Database, opened_urls: OpenedUrls
) -> None:
    _view, panel = codes_panel(qtbot, demo_db)
    dialog = issue(qtbot, panel, "lost", "Vol de l'ordinateur portable signalé le 22/11.")
    assert (
        "Nouveau code (remplace le précédent)" in dialog.findChildren(type(dialog.code))[0].text()
    )
    if _has("desktop.documents.access_sheet"):
        click(qtbot, dialog.print_button)
        qtbot.waitUntil(lambda: bool(opened_urls), timeout=WAIT)
        assert Path(opened_urls[0]).read_bytes().startswith(b"%PDF")
    else:
        click(qtbot, dialog.copy_button)
    click(qtbot, dialog.close_button)
    qtbot.waitUntil(lambda: not isValid(dialog), timeout=WAIT)
    log = access_code_log(demo_db, CLIENT_ID)
    assert [e.action for e in log[:2]] == [AccessCodeAction.REPLACED, AccessCodeAction.DEACTIVATED]
    qtbot.waitUntil(lambda: panel.entries()[:2] == log[:2], timeout=WAIT)


def _has(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


# --- domains -------------------------------------------------------------------------------


def open_domain(qtbot: QtBot, db: Database) -> DomainView:
    window = make_window(qtbot, db)
    view = open_view(qtbot, window, RecordKind.DOMAIN, DOMAIN_ID)
    assert isinstance(view, DomainView)
    return view


def test_antispam_is_switched_with_a_reason(qtbot: QtBot, demo_db: Database) -> None:
    view = open_domain(qtbot, demo_db)
    assert view.button(da.ANTISPAM_ON) is None
    dialog = click_action(qtbot, view, da.ANTISPAM_OFF)
    assert isinstance(dialog, ReasonDialog)
    fill_reason(dialog, "Demande écrite de l'administrateur (filtrage par leur passerelle).")
    confirm_and_close(qtbot, dialog)
    assert not get_domain(demo_db, DOMAIN_ID).antispam_enabled
    wait_reloaded(qtbot, view, lambda r: not r.antispam_enabled)
    assert view.button(da.ANTISPAM_ON) is not None
    qtbot.waitUntil(
        lambda: bool(view.history.events()) and view.history.events()[0].to_status == "off",
        timeout=WAIT,
    )
    model = view.history.model
    assert (model.index(0, 2).data(), model.index(0, 3).data()) == (
        "Anti-spam",
        "activé → désactivé",
    )
    screenshot(qtbot, view, "domain_view")


def test_the_certification_is_renewed(qtbot: QtBot, demo_db: Database) -> None:
    view = open_domain(qtbot, demo_db)
    dialog = click_action(qtbot, view, da.CERTIFY)
    assert isinstance(dialog, ReasonDialog)
    fill_reason(dialog, "Attestation signée reçue par courrier.")
    confirm_and_close(qtbot, dialog)
    domain = get_domain(demo_db, DOMAIN_ID)
    assert domain.admin_certified_by == "poste-test"
    record = wait_reloaded(qtbot, view, lambda r: r.admin_certified_by == "poste-test")
    assert record.admin_certified_at == domain.admin_certified_at


def test_the_dns_sheet_opens_as_a_pdf(
    qtbot: QtBot, demo_db: Database, opened_urls: OpenedUrls
) -> None:
    pytest.importorskip("desktop.services.dns_sheet")
    pytest.importorskip("desktop.documents.dns_sheet")
    view = open_domain(qtbot, demo_db)
    click(qtbot, view.button(da.DNS_SHEET))
    qtbot.waitUntil(lambda: bool(opened_urls), timeout=WAIT)
    assert Path(opened_urls[0]).name == "Fiche DNS optiquemartin.com.pdf"
    assert Path(opened_urls[0]).read_bytes().startswith(b"%PDF")
