"""« Envoyer par e-mail… »: invoices reach the client's billing address, PDF attached."""

from __future__ import annotations

import io

import pytest
from invoice_screen_helpers import billing_setup, drafts, issued, open_invoice
from pypdf import PdfReader
from pytestqt.qtbot import QtBot
from smtp_server import HOST, smtp_server
from window_helpers import WAIT, make_window

from desktop.db.engine import Database
from desktop.documents.facturx import embedded_xml
from desktop.services.invoice_mail import invoice_mails
from desktop.services.invoices import get_invoice
from desktop.settings import LocalSettings, save_local_settings
from desktop.ui import invoice_mailing
from desktop.ui.outbox_sender import send_now
from desktop.ui.views import invoice_actions as ia

pytestmark = [
    pytest.mark.usefixtures("fresh_settings"),
    pytest.mark.qt_log_ignore("This plugin does not support raise", extend=True),
]

RENDERING = 120_000


@pytest.fixture(autouse=True)
def say_yes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    asked: list[int] = []

    def ask(_owner: object, count: int) -> bool:
        asked.append(count)
        return True

    monkeypatch.setattr(invoice_mailing, "confirm_mailing", ask)
    return asked


def test_an_invoice_goes_to_the_billing_address_with_its_facturx(
    qtbot: QtBot, sqlite_db: Database, say_yes: list[int]
) -> None:
    client_id = billing_setup(sqlite_db)
    invoice_id = issued(sqlite_db, client_id)
    number = get_invoice(sqlite_db, invoice_id).number
    _window, view = open_invoice(qtbot, sqlite_db, invoice_id)
    button = view.button(ia.MAIL)
    assert button is not None
    button.click()
    qtbot.waitUntil(lambda: "boîte d'envoi" in view.notice.text(), timeout=RENDERING)
    assert say_yes == [1]
    assert view.notice.text() == (
        "1 document mis dans la boîte d'envoi, envoyés par le serveur d'envoi de ce poste."
    )

    [mail] = invoice_mails(sqlite_db, [invoice_id]).ready
    with smtp_server() as server:
        save_local_settings(
            LocalSettings(
                smtp_host=HOST,
                smtp_port=server.port,
                smtp_security="none",
                smtp_from="facturation@hebergeur-demo.fr",
            )
        )
        report = send_now(sqlite_db, None)
        assert (report.sent, report.failed) == (1, 0)
        [received] = server.received
    assert received.rcpt_tos == [mail.to]
    message = received.message
    assert message["Subject"].startswith(f"Facture {number} — ")
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert f"la facture {number} du " in body and "TTC" in body
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == f"{number}.pdf"
    assert attachment.get_content_type() == "application/pdf"
    pdf = attachment.get_content()
    assert number in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert number.encode() in embedded_xml(pdf)


def test_a_selection_skips_drafts_and_says_so(
    qtbot: QtBot, sqlite_db: Database, say_yes: list[int]
) -> None:
    client_id = billing_setup(sqlite_db)
    issued(sqlite_db, client_id)
    issued(sqlite_db, client_id)
    drafts(sqlite_db, client_id, 1)
    window = make_window(qtbot, sqlite_db)
    window.show_tab(3)
    panel = window.current_tab.panel
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3, timeout=WAIT)
    panel.table.selectAll()
    window.invoice_batch.mail_action.trigger()
    qtbot.waitUntil(
        lambda: "boîte d'envoi" in window.statusBar().currentMessage(), timeout=RENDERING
    )
    assert say_yes == [3]
    assert window.statusBar().currentMessage() == (
        "2 documents mis dans la boîte d'envoi, envoyés par le serveur d'envoi de ce poste. "
        "1 ignoré (Brouillon de Acme Industrie : brouillon : émettez-le d'abord)."
    )


def test_only_drafts_means_nothing_to_send(
    qtbot: QtBot, sqlite_db: Database, say_yes: list[int]
) -> None:
    client_id = billing_setup(sqlite_db)
    drafts(sqlite_db, client_id, 1)
    window = make_window(qtbot, sqlite_db)
    shown: list[Exception] = []
    window.invoice_batch.failed = shown.append
    window.show_tab(3)
    panel = window.current_tab.panel
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=WAIT)
    panel.table.selectAll()
    window.invoice_batch.mail_action.trigger()
    qtbot.waitUntil(lambda: bool(shown), timeout=RENDERING)
    assert str(shown[0]) == (
        "Aucun document à envoyer (Brouillon de Acme Industrie : brouillon : émettez-le d'abord)."
    )
