"""The invoice record and the Factures list: what an invoice shows, its buttons, and the
actions on a selection of invoices (issue drafts, save and print PDFs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dialog_helpers import answer_message_box
from invoice_screen_helpers import billing_setup, drafts, issued, open_invoice, paid
from pypdf import PdfReader
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QAbstractItemView, QFileDialog, QMenu
from pytestqt.qtbot import QtBot
from window_helpers import (
    WAIT,
    OpenedUrls,
    click,
    field,
    make_window,
    screenshot,
    tab_titles,
    wait_reloaded,
)

from desktop.db.engine import Database
from desktop.documents import batch
from desktop.domain.enums import InvoiceStatus
from desktop.services.invoices import get_invoice
from desktop.ui.main_window import MainWindow
from desktop.ui.tabs import invoice_batch
from desktop.ui.tabs.list_panel import ListPanel
from desktop.ui.views import invoice_actions as ia
from desktop.ui.views.invoice_view import decimal_text, price_text

pytestmark = pytest.mark.usefixtures("fresh_settings")

MODE = QAbstractItemModelTester.FailureReportingMode.Warning
RENDERING = 120_000
"""Batches render in fresh processes: slow to start on a busy test machine."""


def buttons(view: object) -> dict[str, bool]:
    layout = view.action_layout  # type: ignore[attr-defined]
    found = (layout.itemAt(i).widget() for i in range(layout.count()))
    return {b.text(): b.isEnabled() for b in found if b is not None}


# --- the record -------------------------------------------------------------------------------


def test_an_issued_invoice_shows_its_lines_payments_and_balance(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    invoice_id = issued(sqlite_db, billing_setup(sqlite_db))
    paid(sqlite_db, invoice_id, "10.41")
    window, view = open_invoice(qtbot, sqlite_db, invoice_id)
    assert view.heading.text() == "Facture F2026-000001"
    assert field(view, "Client") == "Acme Industrie"
    assert field(view, "État").startswith("● Partiellement payée")
    assert field(view, "Totaux") == "103,00 € HT · TVA 7,41 € · 110,41 € TTC"
    assert (field(view, "Réglé"), field(view, "Reste dû")) == ("10,41 €", "100,00 €")
    assert tab_titles(view) == ["Lignes (2)", "Paiements (1)", "Avoirs (0)"]
    for model in (view.lines, view.payments, view.credit_notes):
        QAbstractItemModelTester(model, MODE)
    line = [view.lines.index(1, c).data() for c in range(view.lines.columnCount())]
    assert line[:6] == ["2", "Formation", "2", "45,50\u00a0€", "5,5\u00a0%", "91,00\u00a0€"]
    payment = [view.payments.index(0, c).data() for c in range(view.payments.columnCount())]
    assert payment[1:4] == ["10,41\u00a0€", "Virement", "VIR 42"]
    assert buttons(view) == {
        ia.PAY: True,
        ia.CREDIT: True,
        ia.DISPUTE: True,
        ia.OPEN_PDF: True,
        ia.PRINT: True,
        ia.SAVE_PDF: True,
        ia.MAIL: True,
    }
    screenshot(qtbot, window, "invoice_window")
    screenshot(qtbot, view, "invoice_view")


def test_quantities_and_prices_read_the_french_way() -> None:
    from decimal import Decimal

    assert decimal_text(Decimal("1.000")) == "1"
    assert decimal_text(Decimal("0.5161")) == "0,5161"
    assert price_text(Decimal("12.3400")) == "12,34\u00a0€"
    assert price_text(Decimal("0.1234")) == "0,1234\u00a0€"


def test_an_overdue_invoice_says_so(qtbot: QtBot, sqlite_db: Database) -> None:
    invoice_id = issued(sqlite_db, billing_setup(sqlite_db))  # due a month after 02/03/2026
    _window, view = open_invoice(qtbot, sqlite_db, invoice_id)
    due = get_invoice(sqlite_db, invoice_id).due_on
    assert due is not None
    assert field(view, "État") == f"● Émise — échue depuis le {due:%d/%m/%Y}"


def test_a_draft_is_issued_from_its_record(qtbot: QtBot, sqlite_db: Database) -> None:
    (draft,) = drafts(sqlite_db, billing_setup(sqlite_db), 1)
    _window, view = open_invoice(qtbot, sqlite_db, draft)
    assert view.heading.text() == "Facture (brouillon)"
    assert list(buttons(view)) == [ia.ISSUE, ia.OPEN_PDF, ia.PRINT, ia.SAVE_PDF]
    assert field(view, "Reste dû") == ""
    seen = answer_message_box("Émettre")
    click(qtbot, view.button(ia.ISSUE))
    qtbot.waitUntil(lambda: bool(seen), timeout=WAIT)
    assert seen[0].startswith("Émettre la facture de Acme Industrie (110,41")
    wait_reloaded(qtbot, view, lambda record: record.number is not None)
    assert view.heading.text() == "Facture F2026-000001"
    assert view.notice.text() == "Facture émise sous le n° F2026-000001."
    assert ia.PAY in buttons(view)


def test_a_credit_note_links_back_to_its_invoice(qtbot: QtBot, sqlite_db: Database) -> None:
    from desktop.services.credit_notes import create_credit_note

    invoice_id = issued(sqlite_db, billing_setup(sqlite_db))
    create_credit_note(sqlite_db, invoice_id, lines=None, reason="Annulée", actor="t")
    note_id = get_invoice(sqlite_db, invoice_id).credit_notes[0].id
    window, view = open_invoice(qtbot, sqlite_db, note_id)
    assert view.heading.text() == "Avoir AV2026-000001"
    assert field(view, "Corrige") == "F2026-000001"
    assert field(view, "Motif") == "Annulée"
    assert list(buttons(view)) == [ia.OPEN_PDF, ia.PRINT, ia.SAVE_PDF, ia.MAIL]
    assert tab_titles(view) == ["Lignes (2)"]
    view._follow(f"invoice:{invoice_id}")
    qtbot.waitUntil(
        lambda: (
            window.current_tab.view is not None
            and window.current_tab.view.record_id == invoice_id
            and window.current_tab.view.record is not None
        ),
        timeout=WAIT,
    )
    invoice_view = window.current_tab.view
    assert tab_titles(invoice_view) == ["Lignes (2)", "Paiements (0)", "Avoirs (1)"]
    assert buttons(invoice_view)[ia.CREDIT] is False
    assert buttons(invoice_view)[ia.PAY] is False
    assert field(invoice_view, "État") == "● Annulée"  # wholly credited


# --- its PDF ----------------------------------------------------------------------------------


def test_opening_and_saving_the_pdf(
    qtbot: QtBot,
    sqlite_db: Database,
    opened_urls: OpenedUrls,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    invoice_id = issued(sqlite_db, billing_setup(sqlite_db))
    _window, view = open_invoice(qtbot, sqlite_db, invoice_id)
    click(qtbot, view.button(ia.OPEN_PDF))
    qtbot.waitUntil(lambda: bool(opened_urls), timeout=WAIT)
    assert Path(opened_urls[0]).name == "F2026-000001.pdf"
    assert Path(opened_urls[0]).read_bytes().startswith(b"%PDF")
    click(qtbot, view.button(ia.PRINT))  # no print command here: the viewer opens it
    qtbot.waitUntil(lambda: len(opened_urls) == 2, timeout=WAIT)
    target = tmp_path / "copie"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), ""))
    click(qtbot, view.button(ia.SAVE_PDF))
    qtbot.waitUntil(lambda: view.notice.isVisible(), timeout=WAIT)
    assert view.notice.text() == f"PDF enregistré : {target}.pdf"
    assert Path(f"{target}.pdf").read_bytes().startswith(b"%PDF")


def test_a_draft_opens_as_a_preview(
    qtbot: QtBot, sqlite_db: Database, opened_urls: OpenedUrls
) -> None:
    (draft,) = drafts(sqlite_db, billing_setup(sqlite_db), 1)
    _window, view = open_invoice(qtbot, sqlite_db, draft)
    click(qtbot, view.button(ia.OPEN_PDF))
    qtbot.waitUntil(lambda: bool(opened_urls), timeout=WAIT)
    assert Path(opened_urls[0]).name == "Brouillon de facture Acme Industrie.pdf"
    assert Path(opened_urls[0]).read_bytes().startswith(b"%PDF")


# --- the Factures list ------------------------------------------------------------------------


def invoices_panel(qtbot: QtBot, window: MainWindow, rows: int) -> ListPanel:
    window.show_tab(3)
    panel = window.current_tab.panel
    qtbot.waitUntil(lambda: panel.model.rowCount() == rows, timeout=WAIT)
    return panel


def test_only_the_invoice_list_selects_several_rows(qtbot: QtBot, sqlite_db: Database) -> None:
    window = make_window(qtbot, sqlite_db)
    modes = [tab.panel.table.selectionMode() for tab in window.record_tabs]
    extended, single = (
        QAbstractItemView.SelectionMode.ExtendedSelection,
        QAbstractItemView.SelectionMode.SingleSelection,
    )
    assert modes == [single, single, single, extended, single, single]
    assert not any(action.isEnabled() for action in window.invoice_batch.actions)


def test_issuing_the_selected_drafts(qtbot: QtBot, sqlite_db: Database) -> None:
    client_id = billing_setup(sqlite_db)
    issued(sqlite_db, client_id)
    ids = drafts(sqlite_db, client_id, 2)
    window = make_window(qtbot, sqlite_db)
    panel = invoices_panel(qtbot, window, 3)
    panel.table.selectAll()
    assert all(action.isEnabled() for action in window.invoice_batch.actions)
    seen = answer_message_box("Émettre")
    window.invoice_batch.issue_action.trigger()
    qtbot.waitUntil(lambda: bool(seen), timeout=WAIT)
    assert seen == ["Émettre 2 brouillons de la sélection ?"]
    qtbot.waitUntil(
        lambda: all(get_invoice(sqlite_db, i).status is InvoiceStatus.ISSUED for i in ids),
        timeout=WAIT,
    )
    assert [get_invoice(sqlite_db, i).number for i in ids] == ["F2026-000002", "F2026-000003"]
    qtbot.waitUntil(
        lambda: (
            window.statusBar().currentMessage()
            == "2 factures émises : n° F2026-000002 à F2026-000003."
        ),
        timeout=WAIT,
    )


def test_saving_the_pdfs_of_the_selection(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client_id = billing_setup(sqlite_db)
    for _ in range(4):
        issued(sqlite_db, client_id)
    drafts(sqlite_db, client_id, 1)  # no PDF to save for a draft
    (tmp_path / "F2026-000002.pdf").write_bytes(b"old")
    window = make_window(qtbot, sqlite_db)
    panel = invoices_panel(qtbot, window, 5)
    panel.table.selectAll()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_a, **_k: str(tmp_path))
    seen = answer_message_box("Remplacer")
    window.invoice_batch.save_action.trigger()
    qtbot.waitUntil(lambda: bool(seen), timeout=WAIT)
    assert seen[0].startswith("1 fichier existe déjà dans ce dossier (par exemple F2026-000002")
    qtbot.waitUntil(lambda: "enregistrés" in window.statusBar().currentMessage(), timeout=RENDERING)
    assert window.statusBar().currentMessage() == (
        f"4 PDF enregistrés dans {tmp_path}. 1 brouillon ignoré (émettez-les d'abord)."
    )
    files = sorted(tmp_path.glob("*.pdf"))
    assert [f.name for f in files] == [f"F2026-00000{n}.pdf" for n in range(1, 5)]
    assert all(f.read_bytes().startswith(b"%PDF") for f in files)
    assert not list(tmp_path.glob(".*"))  # no temporary file left


def test_printing_the_selection_as_one_document(
    qtbot: QtBot, sqlite_db: Database, opened_urls: OpenedUrls, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch, "default_workers", lambda _count: 1)  # the pool: saving PDFs
    client_id = billing_setup(sqlite_db)
    for _ in range(3):
        issued(sqlite_db, client_id)
    window = make_window(qtbot, sqlite_db)
    panel = invoices_panel(qtbot, window, 3)
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in (0, 2):
        panel.table.selectionModel().select(panel.model.index(row, 0), flags)
    assert panel.selected_ranges() == [(0, 0), (2, 2)]
    window.invoice_batch.print_action.trigger()
    qtbot.waitUntil(lambda: bool(opened_urls), timeout=RENDERING)
    printed = Path(opened_urls[0])
    assert printed.name == invoice_batch.SELECTION_NAME
    text = " ".join(page.extract_text() for page in PdfReader(printed).pages)
    assert "F2026-000003" in text and "F2026-000001" in text and "F2026-000002" not in text


def test_the_selection_of_rows_never_loaded_is_read_again(
    qtbot: QtBot, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    client_id = billing_setup(sqlite_db)
    drafts(sqlite_db, client_id, 3)
    window = make_window(qtbot, sqlite_db)
    panel = invoices_panel(qtbot, window, 3)
    panel.table.selectAll()
    monkeypatch.setattr(panel.model, "row", lambda _position: None)  # as if scrolled past
    got: list[list[object]] = []
    panel.load_selection(got.append, pytest.fail)
    qtbot.waitUntil(lambda: bool(got), timeout=WAIT)
    assert sorted(row.id for row in got[0]) == sorted(  # type: ignore[attr-defined]
        r.id for r in window.record_tabs[3].panel.spec.fetch(sqlite_db, panel.model.query).rows
    )


def test_batch_actions_need_a_selection(qtbot: QtBot, sqlite_db: Database) -> None:
    window = make_window(qtbot, sqlite_db)
    shown: list[Exception] = []
    window.invoice_batch.failed = shown.append
    window.invoice_batch.save_selected()
    assert [str(e) for e in shown] == [invoice_batch.NOTHING_SELECTED]


def test_the_context_menu_offers_the_selection_actions(qtbot: QtBot, sqlite_db: Database) -> None:
    drafts(sqlite_db, billing_setup(sqlite_db), 2)
    window = make_window(qtbot, sqlite_db)
    panel = invoices_panel(qtbot, window, 2)
    menu = QMenu()
    for hook in panel.menu_hooks:
        hook(menu)
    assert menu.actions() == []  # nothing selected
    panel.table.selectAll()
    for hook in panel.menu_hooks:
        hook(menu)
    assert [a.text() for a in menu.actions() if a.text()] == [
        invoice_batch.ISSUE,
        invoice_batch.SAVE,
        invoice_batch.PRINT,
        invoice_batch.MAIL,
    ]
