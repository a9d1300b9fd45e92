"""The billing dialogs as an office user drives them: the monthly run (preview, run,
Cancel), a payment, a credit note, a dispute."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from dialog_helpers import answer_message_box, message
from invoice_screen_helpers import ISSUED_ON, billing_setup, issued, open_invoice, paid
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot
from window_helpers import WAIT, click, click_action, field, make_window, plain, screenshot

from desktop.db.engine import Database
from desktop.domain.clock import paris_today
from desktop.domain.enums import InvoiceKind, InvoiceStatus, PaymentMethod
from desktop.domain.errors import InvalidValue
from desktop.services.invoices import get_invoice
from desktop.ui.batch_progress import Steps
from desktop.ui.dialogs import billing_run as billing_module
from desktop.ui.dialogs.billing_run import BillingRunDialog
from desktop.ui.dialogs.credit_note_dialog import CreditNoteDialog
from desktop.ui.dialogs.dispute_dialog import DisputeDialog
from desktop.ui.dialogs.payment_dialog import PaymentDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.progress import Cancelled
from desktop.ui.views import invoice_actions as ia
from desktop.ui.widgets.amount_field import amount_text, parse_amount
from tests.services import billing_helpers as bh

pytestmark = [
    pytest.mark.usefixtures("fresh_settings"),
    pytest.mark.qt_log_ignore("This plugin does not support raise", extend=True),
]

D = Decimal
MODE = QAbstractItemModelTester.FailureReportingMode.Warning
MARCH = date(2026, 3, 1)


# --- amounts typed the French way ---------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1 234,56", "1234.56"),
        ("1\u202f234,56 €", "1234.56"),
        ("1.234,56", "1234.56"),
        ("12.5", "12.50"),
        ("12", "12.00"),
        ("-3,2", "-3.20"),
    ],
)
def test_amounts_read_exactly(typed: str, value: str) -> None:
    assert parse_amount(typed) == D(value)


@pytest.mark.parametrize("typed", ["12,5O", "", "1,2,3", "abc", "12,345"])
def test_wrong_amounts_are_refused_in_french(typed: str) -> None:
    with pytest.raises(InvalidValue) as error:
        parse_amount(typed)
    assert error.value.message.startswith(("Montant attendu", "Deux décimales"))


def test_amounts_print_the_french_way() -> None:
    assert plain(amount_text(D("1234.5"))) == "1 234,50"
    assert amount_text(D("-0.07")) == "-0,07"


def test_steps_turn_cancel_into_a_question() -> None:
    seen: list[tuple[str, int, int]] = []
    pressed = False

    def progress(stage: str, done: int, total: int) -> None:
        if pressed:
            raise Cancelled()
        seen.append((stage, done, total))

    steps = Steps(progress, "Facturation…")
    steps.moved(1, 4)
    assert not steps.cancelled()
    pressed = True
    steps.moved(2, 4)  # does not raise: the service finishes its batch
    assert steps.cancelled() and steps.cancelled()
    assert seen == [("Facturation…", 1, 4), ("Facturation…", 1, 4)]


# --- the monthly run --------------------------------------------------------------------------


def three_customers(db: Database) -> None:
    """Three clients with one account each (12,00 € HT a month, 20 % VAT)."""
    bh.provider(db)
    line = bh.product_line(db)
    plan = bh.plan(db, line)
    for index, name in enumerate(("Acme Industrie", "Boulangerie Durand", "Cabinet Leroy")):
        who = bh.customer(
            db, line, name, domain_name=f"client{index}.fr", number=f"C2025-0000{index + 1}"
        )
        bh.account(db, who, "contact", plan)


def open_billing(qtbot: QtBot, db: Database) -> tuple[MainWindow, BillingRunDialog]:
    window = make_window(qtbot, db)
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "Fac&turation")
    assert [a.text() for a in menu.actions() if a.text()] == [
        "Facturation &mensuelle…",
        "Relances des &impayés…",
        "Prélèvements &SEPA…",
        "&Remises SEPA…",
        "Boîte d'&envoi des e-mails…",
        "&Catalogue et tarifs…",
        "Émettre les brouillons sélectionnés…",
        "Enregistrer les PDF de la sélection…",
        "Imprimer la sélection…",
        "Envoyer la sélection par e-mail…",
    ]
    menu.actions()[0].trigger()
    dialog = window.billing
    assert isinstance(dialog, BillingRunDialog)
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=WAIT)
    return window, dialog


def preview_month(qtbot: QtBot, dialog: BillingRunDialog, month: date) -> None:
    dialog.month.set_month(month)
    dialog.load_preview()
    qtbot.waitUntil(
        lambda: dialog.preview is not None and dialog.preview.month == month, timeout=WAIT
    )


def run_and_wait(qtbot: QtBot, dialog: BillingRunDialog) -> None:
    seen = answer_message_box("Facturer")
    dialog.report = None
    click(qtbot, dialog.run_button)
    qtbot.waitUntil(lambda: bool(seen), timeout=WAIT)
    qtbot.waitUntil(lambda: dialog.report is not None and not dialog.running, timeout=WAIT)


def test_the_month_is_previewed_then_billed_once(qtbot: QtBot, sqlite_db: Database) -> None:
    three_customers(sqlite_db)
    window, dialog = open_billing(qtbot, sqlite_db)
    QAbstractItemModelTester(dialog.rows, MODE)
    today = paris_today()
    assert dialog.month.month() == date(today.year, today.month, 1)
    assert dialog.issue.isChecked() and dialog.issue.text() == (
        "Émettre les factures (numérotation définitive)"
    )
    preview_month(qtbot, dialog, MARCH)
    assert [plain(" | ".join(row)) for row in dialog.shown_rows()] == [
        f"{code} | {name} | 1 | 12,00 € | 14,40 €"
        for code, name in zip(
            [row.client_code for row in dialog.preview.rows],  # type: ignore[union-attr]
            ("Acme Industrie", "Boulangerie Durand", "Cabinet Leroy"),
            strict=True,
        )
    ]
    assert plain(dialog.summary.text()) == (
        "3 clients à facturer pour mars 2026 : <b>36,00 € HT</b>, 43,20 € TTC."
    )
    assert bh.invoices(sqlite_db, MARCH) == []  # a preview writes nothing
    screenshot(qtbot, dialog, "billing_preview")

    seen = answer_message_box("Facturer")
    click(qtbot, dialog.run_button)
    qtbot.waitUntil(lambda: bool(seen), timeout=WAIT)
    assert seen == ["Émettre 3 factures pour mars 2026 ?"]
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=WAIT)
    assert plain(dialog.result.text()) == (
        "Facturation de mars 2026 terminée : 3 factures émises (n° F2026-000001 à "
        "F2026-000003), total 36,00 € HT, 43,20 € TTC."
    )
    billed = bh.invoices(sqlite_db, MARCH)
    assert sorted(b.number or "" for b in billed) == [
        "F2026-000001",
        "F2026-000002",
        "F2026-000003",
    ]
    assert {b.status for b in billed} == {"issued"}
    qtbot.waitUntil(lambda: "déjà facturés" in dialog.summary.text(), timeout=WAIT)
    assert (
        dialog.summary.text()
        == "Rien à facturer pour mars 2026 ; 3 clients déjà facturés pour ce mois."
    )
    assert not dialog.run_button.isEnabled()
    qtbot.waitUntil(lambda: window.record_tabs[3].panel.model.rowCount() == 3, timeout=WAIT)
    screenshot(qtbot, dialog, "billing_done")


def test_drafts_when_not_issuing(qtbot: QtBot, sqlite_db: Database) -> None:
    three_customers(sqlite_db)
    _window, dialog = open_billing(qtbot, sqlite_db)
    preview_month(qtbot, dialog, MARCH)
    dialog.issue.setChecked(False)
    run_and_wait(qtbot, dialog)
    assert dialog.result.text().startswith(
        "Facturation de mars 2026 terminée : 3 factures créées en brouillon, total"
    )
    assert {(b.number, b.status) for b in bh.invoices(sqlite_db, MARCH)} == {(None, "draft")}


def test_cancel_stops_between_batches_and_a_new_run_finishes(
    qtbot: QtBot, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    three_customers(sqlite_db)
    _window, dialog = open_billing(qtbot, sqlite_db)
    preview_month(qtbot, dialog, MARCH)
    gate = threading.Event()
    real = billing_module.run_billing

    def gated(*args: Any, cancelled: Callable[[], bool], **kwargs: Any) -> Any:
        def asked() -> bool:
            gate.wait(WAIT / 1000)  # the user presses Cancel before the first batch
            return cancelled()

        return real(*args, cancelled=asked, **{**kwargs, "batch_size": 1})

    monkeypatch.setattr(billing_module, "run_billing", gated)
    dialog.run(MARCH, issue=True)
    progress = dialog.progress
    assert isinstance(progress, QProgressDialog)
    cancel = next(b for b in progress.findChildren(QPushButton) if b.text() == "Annuler")
    cancel.click()
    gate.set()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=WAIT)
    assert dialog.report is not None and dialog.report.cancelled
    assert dialog.result.text().startswith("Facturation de mars 2026 interrompue : 0 facture")
    assert "relancez pour terminer" in dialog.result.text()
    assert bh.invoices(sqlite_db, MARCH) == []

    monkeypatch.setattr(billing_module, "run_billing", real)
    qtbot.waitUntil(lambda: dialog.run_button.isEnabled(), timeout=WAIT)
    run_and_wait(qtbot, dialog)
    assert len(bh.invoices(sqlite_db, MARCH)) == 3


def test_a_month_to_come_is_refused_in_the_dialog(qtbot: QtBot, sqlite_db: Database) -> None:
    three_customers(sqlite_db)
    _window, dialog = open_billing(qtbot, sqlite_db)
    today = paris_today()
    later = date(today.year + 1, today.month, 1)
    preview_month(qtbot, dialog, later)
    dialog.run(later, issue=True)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT)
    assert dialog.error.text()
    assert bh.invoices(sqlite_db) == []


# --- a payment --------------------------------------------------------------------------------


def open_payment(qtbot: QtBot, db: Database, invoice_id: int) -> tuple[Any, PaymentDialog]:
    _window, view = open_invoice(qtbot, db, invoice_id)
    dialog = click_action(qtbot, view, ia.PAY)
    assert isinstance(dialog, PaymentDialog)
    return view, dialog


def type_amount(qtbot: QtBot, dialog: PaymentDialog, text: str) -> str:
    dialog.amount.clear()
    qtbot.keyClicks(dialog.amount, text)
    return message(dialog, "amount")


def test_a_payment_is_checked_as_typed(qtbot: QtBot, sqlite_db: Database) -> None:
    invoice_id = issued(sqlite_db, billing_setup(sqlite_db))
    paid(sqlite_db, invoice_id, "10.41")
    _view, dialog = open_payment(qtbot, sqlite_db, invoice_id)
    assert plain(dialog.amount.text()) == "100,00"
    assert dialog.paid_on.date() == paris_today()
    assert dialog.method.currentText() == "Virement"
    assert "reste dû 100,00" in plain(dialog.about.text())
    assert type_amount(qtbot, dialog, "12,5O") == (
        "Montant attendu, en euros : par exemple 1 234,56."
    )
    assert not dialog.save_button.isEnabled()
    assert type_amount(qtbot, dialog, "0") == "Le montant doit être supérieur à zéro."
    assert plain(type_amount(qtbot, dialog, "100,01")) == (
        "Le montant dépasse ce qui reste dû sur la facture (100,00 €)."
    )
    assert type_amount(qtbot, dialog, "12,345") == (
        "Deux décimales au plus : le montant est en euros et centimes."
    )
    assert type_amount(qtbot, dialog, "1 000") != ""
    assert type_amount(qtbot, dialog, "60,5") == ""
    assert dialog.save_button.isEnabled()
    screenshot(qtbot, dialog, "payment_dialog")


def test_a_partial_payment_is_recorded(qtbot: QtBot, sqlite_db: Database) -> None:
    invoice_id = issued(sqlite_db, billing_setup(sqlite_db))
    view, dialog = open_payment(qtbot, sqlite_db, invoice_id)
    type_amount(qtbot, dialog, "60,41")
    dialog.method.set_value(PaymentMethod.CHEQUE)
    qtbot.keyClicks(dialog.reference, "Cheque 0012345")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: view.notice.isVisible(), timeout=WAIT)
    assert plain(view.notice.text()) == "Paiement enregistré : reste dû 50,00 €."
    details = get_invoice(sqlite_db, invoice_id)
    assert details.balance == D("50.00") and details.status is InvoiceStatus.PARTLY_PAID
    assert [(p.amount, p.method, p.reference) for p in details.payments] == [
        (D("60.41"), PaymentMethod.CHEQUE, "Cheque 0012345")
    ]
    qtbot.waitUntil(lambda: field(view, "Reste dû") == "50,00 €", timeout=WAIT)


def test_a_payment_in_the_future_is_refused_by_its_field(qtbot: QtBot, sqlite_db: Database) -> None:
    invoice_id = issued(sqlite_db, billing_setup(sqlite_db))
    _view, dialog = open_payment(qtbot, sqlite_db, invoice_id)
    dialog.paid_on.set_date(date(paris_today().year + 1, 1, 1))
    click(qtbot, dialog.save_button)
    assert message(dialog, "paid_on") == "Un paiement ne peut pas être daté dans le futur."
    assert dialog.isVisible()
    assert get_invoice(sqlite_db, invoice_id).payments == ()


# --- a credit note ----------------------------------------------------------------------------


def open_credit_note(qtbot: QtBot, db: Database, invoice_id: int) -> tuple[Any, CreditNoteDialog]:
    _window, view = open_invoice(qtbot, db, invoice_id)
    dialog = click_action(qtbot, view, ia.CREDIT)
    assert isinstance(dialog, CreditNoteDialog)
    QAbstractItemModelTester(dialog.lines, MODE)
    return view, dialog


def test_a_partial_credit_note(qtbot: QtBot, sqlite_db: Database) -> None:
    invoice_id = issued(sqlite_db, billing_setup(sqlite_db))
    view, dialog = open_credit_note(qtbot, sqlite_db, invoice_id)
    assert dialog.is_whole
    assert plain(dialog.shown_totals()) == (
        "Avoir : 103,00 € HT · TVA 7,41 € · <b>110,41 € TTC</b>"
    )
    assert not dialog.save_button.isEnabled()  # the reason is missing
    dialog.partial.setChecked(True)
    dialog.lines.set_line(0, checked=False)
    dialog.lines.set_line(1, amount="91,01")
    assert plain(dialog.lines_error.text()) == (
        "Ligne 2 : Au plus 91,00 € : ce qui reste à créditer sur cette ligne."
    )
    dialog.lines.set_line(1, amount="41")
    assert dialog.lines_error.text() == ""
    assert plain(dialog.shown_totals()) == "Avoir : 41,00 € HT · TVA 2,26 € · <b>43,26 € TTC</b>"
    dialog.reason.setPlainText("Geste commercial : formation écourtée")
    assert dialog.save_button.isEnabled()
    screenshot(qtbot, dialog, "credit_note_dialog")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        click(qtbot, dialog.save_button)
    assert dialog.saved == "AV2026-000001"
    qtbot.waitUntil(lambda: view.notice.isVisible(), timeout=WAIT)
    assert view.notice.text() == "Avoir AV2026-000001 émis."
    details = get_invoice(sqlite_db, invoice_id)
    assert [line.credited_excl_vat for line in details.lines] == [D("0.00"), D("41.00")]
    (note,) = details.credit_notes
    credit_note = get_invoice(sqlite_db, note.id)
    assert credit_note.kind is InvoiceKind.CREDIT_NOTE
    assert [(line.amount_excl_vat, line.vat_rate) for line in credit_note.lines] == [
        (D("41.00"), D("5.50"))
    ]
    assert (credit_note.total_excl_vat, credit_note.total_vat, credit_note.total_incl_vat) == (
        D("41.00"),
        D("2.26"),
        D("43.26"),
    )
    assert credit_note.reason == "Geste commercial : formation écourtée"
    qtbot.waitUntil(lambda: view.tabs.tabText(2) == "Avoirs (1)", timeout=WAIT)


def test_the_rest_of_an_invoice_is_credited_whole(qtbot: QtBot, sqlite_db: Database) -> None:
    invoice_id = issued(sqlite_db, billing_setup(sqlite_db))
    _view, dialog = open_credit_note(qtbot, sqlite_db, invoice_id)
    dialog.partial.setChecked(True)
    dialog.lines.set_line(0, checked=False)
    dialog.reason.setPlainText("Formation annulée")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        click(qtbot, dialog.save_button)
    _view, dialog = open_credit_note(qtbot, sqlite_db, invoice_id)
    assert not dialog.is_whole  # part of it is credited already
    assert dialog.lines.flags(dialog.lines.index(1, 0)) == Qt.ItemFlag.NoItemFlags
    dialog.whole.setChecked(True)
    assert plain(dialog.shown_totals()) == "Avoir : 12,00 € HT · TVA 2,40 € · <b>14,40 € TTC</b>"
    dialog.reason.setPlainText("Résiliation")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        click(qtbot, dialog.save_button)
    details = get_invoice(sqlite_db, invoice_id)
    assert details.creditable == D("0.00") and details.balance == D("0.00")


# --- a dispute --------------------------------------------------------------------------------


def test_a_late_dispute_of_a_renewal_invoice(qtbot: QtBot, sqlite_db: Database) -> None:
    invoice_id = issued(sqlite_db, billing_setup(sqlite_db), renewal=True)
    _window, view = open_invoice(qtbot, sqlite_db, invoice_id)
    dialog = click_action(qtbot, view, ia.DISPUTE)
    assert isinstance(dialog, DisputeDialog)
    assert dialog.date is not None
    dialog.date.set_date(date(2026, 3, 7))
    assert dialog.lateness_shown() == ""
    dialog.date.set_date(date(2026, 3, 9))
    assert dialog.lateness_shown() == (
        "Reçue 7 jours après la facture : contestation tardive (plus de 5 jours)."
    )
    dialog.reason.setPlainText("Le client dit avoir résilié")
    screenshot(qtbot, dialog, "dispute_dialog")
    with qtbot.waitSignal(dialog.completed, timeout=WAIT):
        click(qtbot, dialog.action_button)
    qtbot.waitUntil(lambda: view.notice.isVisible(), timeout=WAIT)
    assert view.notice.text() == (
        "Contestation enregistrée : contestation tardive (plus de 5 jours)."
    )
    qtbot.waitUntil(lambda: field(view, "Contestation") != "", timeout=WAIT)
    assert field(view, "Contestation") == (
        "reçue le 09/03/2026 : Le client dit avoir résilié\n"
        "⚠ contestation tardive (plus de 5 jours)"
    )
    button = view.button(ia.DISPUTE)
    assert button is not None and not button.isEnabled()


def test_a_dispute_before_the_invoice_is_refused_by_its_field(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    invoice_id = issued(sqlite_db, billing_setup(sqlite_db), renewal=True)
    _window, view = open_invoice(qtbot, sqlite_db, invoice_id)
    dialog = click_action(qtbot, view, ia.DISPUTE)
    assert isinstance(dialog, DisputeDialog) and dialog.date is not None
    dialog.date.set_date(ISSUED_ON.replace(day=1))
    dialog.reason.setPlainText("Trop tôt")
    click(qtbot, dialog.action_button)
    qtbot.waitUntil(lambda: not dialog._busy, timeout=WAIT)
    label = dialog.form.fields["received_on"].label
    assert label is not None and label.text() == (
        "La contestation ne peut pas précéder la facture."
    )
