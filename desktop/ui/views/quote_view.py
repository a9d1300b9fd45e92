"""The record of a quote (devis): its terms, lines and totals; send, accept, refuse, activate.

- « Envoyer… » numbers and dates the draft; the notice says whether the email
  left or whether the PDF is to be sent by hand.
- « Accepter… » makes the contract and its requested accounts, then offers to
  open the contract; an expired quote is refused, in French, in the dialog.
- « Activer le service… » (accepted quote, contract pending; also on the contract's
  record) starts the service: accounts active, first invoice, and the
  administrator's access code shown once.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
)
from sqlalchemy.orm import Session

from desktop.db.engine import Database
from desktop.domain.clock import paris_today
from desktop.domain.enums import ContractStatus, QuoteStatus
from desktop.domain.quotes import DEFAULT_VALIDITY_DAYS, QuoteTotals
from desktop.domain.roles import Permission
from desktop.services.activation import Activation, activate_contract
from desktop.services.quotes import (
    Acceptance,
    QuoteDetails,
    SendResult,
    accept_quote,
    get_quote,
    quote_is_expired,
    quote_print_by_id,
    refuse_quote,
    send_quote,
)
from desktop.ui.dialogs.access_code_dialog import AccessCodeDialog
from desktop.ui.dialogs.date_step_dialog import DateStepDialog
from desktop.ui.dialogs.quote_lines import discount_text, number_text
from desktop.ui.dialogs.reason_dialog import ReasonDialog
from desktop.ui.documents import Document, open_document, save_document
from desktop.ui.formatting import ORANGE, french_date, french_datetime, money
from desktop.ui.tabs.specs import RecordKind
from desktop.ui.views.base import Field, RecordView, link, status_html, text

SEND = "Envoyer…"
ACCEPT = "Accepter…"
REFUSE = "Refuser…"
ACTIVATE = "Activer le service…"
OPEN_PDF = "Ouvrir le PDF"
SAVE_PDF = "Enregistrer le PDF…"
OPEN_CONTRACT = "Ouvrir le contrat"
DESCRIPTION_WIDTH = (160, 320)
"""Narrowest and widest the description column of the lines is made, in pixels."""
WANTED_WIDTH = 620
"""The quote record's preferred width: the lines' columns side by side."""
LINE_HEADERS = ("Libellé", "Facturation", "Qté", "PU HT", "TVA", "Remise", "Montant HT")


def quote_name(record: QuoteDetails) -> str:
    return f"Devis {record.number}" if record.number else "Devis (brouillon)"


def quote_pdf(view: RecordView, record: QuoteDetails) -> Document:
    from desktop.documents.quote_pdf import render_quote

    stem = record.number or f"brouillon-{record.id}"
    return Document(f"Devis {stem}.pdf", render_quote(quote_print_by_id(view.db, record.id)))


def validity_html(record: QuoteDetails, today: date) -> str:
    shown = text(french_date(record.valid_until) if record.valid_until else None)
    if record.valid_until is None and record.status is QuoteStatus.DRAFT:
        return html.escape(f"{DEFAULT_VALIDITY_DAYS} jours à compter de l'envoi")
    if quote_is_expired(record, today):
        return f'<span style="color:{ORANGE}">{shown} — expiré</span>'
    return shown


def recurring_text(totals: QuoteTotals) -> str:
    """« 108,00 € par mois, 150,00 € une fois » (the amounts that are not zero)."""
    parts = [
        f"{money(amount)} {what}"
        for amount, what in (
            (totals.monthly, "par mois"),
            (totals.yearly, "par an"),
            (totals.one_off, "une fois"),
        )
        if amount
    ]
    return ", ".join(parts)


def lines_table() -> QTableWidget:
    table = QTableWidget(0, len(LINE_HEADERS))
    table.setHorizontalHeaderLabels(list(LINE_HEADERS))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.setWordWrap(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    # The description keeps a readable width (wrapped on whole words, the list
    # scrolling sideways in a narrow pane) instead of being squeezed to « Excha… ».
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    return table


def fill_lines(table: QTableWidget, record: QuoteDetails) -> None:
    table.setRowCount(len(record.lines))
    for row, (line, amounts) in enumerate(zip(record.lines, record.totals.lines, strict=True)):
        values = (
            line.description,
            line.billing.label,
            number_text(line.quantity),
            money(line.unit_price),
            f"{number_text(line.vat_rate)} %",
            discount_text(line.discount_percent, line.discount_amount) or "—",
            money(amounts.net),
        )
        for column, value in enumerate(values):
            cell = QTableWidgetItem(value)
            if column == 0:
                cell.setToolTip(value)
            elif column >= 2:
                cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(row, column, cell)
    fit_description(table)


def fit_description(table: QTableWidget) -> None:
    """The description column as wide as its longest text, within DESCRIPTION_WIDTH;
    rows as tall as their wrapped description."""
    low, high = DESCRIPTION_WIDTH
    table.resizeColumnToContents(0)
    table.setColumnWidth(0, max(low, min(high, table.columnWidth(0))))
    table.resizeRowsToContents()


def activate_service(view: RecordView, contract_id: int, contract_number: str) -> DateStepDialog:
    """« Activer le service… » of a pending contract, from its quote's or its own record."""
    dialog = DateStepDialog(
        view,
        view.worker,
        title=f"Activer le service — contrat {contract_number}",
        action="Activer",
        intro=(
            "Les comptes demandés deviennent actifs, la période initiale commence, la "
            "première facture (frais de mise en service, prorata du premier mois) est "
            "émise et le code d'accès de l'administrateur est affiché une seule fois."
        ),
        date_label="Début du service",
        on=paris_today(),
        date_key="service_start",
        submit=lambda day: activate_contract(
            view.db, contract_id, service_start=day, actor=view.actor
        ),
    )
    dialog.completed.connect(lambda activation: show_activation(view, activation))
    view.open_dialog(dialog)
    return dialog


def show_activation(view: RecordView, activation: Activation) -> AccessCodeDialog:
    """Say what the activation did, then show the access code once (the view's dialog)."""
    invoice = (
        f"facture {activation.invoice_number} de {money(activation.total_incl_vat)} TTC"
        if activation.invoice_number
        else "première facture laissée en brouillon"
    )
    view.done(
        f"Contrat {activation.contract_number} actif au "
        f"{french_date(activation.service_start)} : "
        f"{activation.mailboxes_activated} compte(s) ouvert(s), {invoice}."
    )
    dialog = AccessCodeDialog(view, view.worker, activation.access_code)
    view.open_dialog(dialog)
    return dialog


def mailer(db: Database) -> Callable[[Session, QuoteDetails], bool] | None:
    """Email the quote as it is sent when this desktop has an SMTP server, else None."""
    from desktop.services.quote_mail import queue_quote_mail
    from desktop.ui.outbox_sender import saved_smtp_settings

    return queue_quote_mail if saved_smtp_settings(db) is not None else None


class QuoteView(RecordView):
    kind = RecordKind.QUOTE
    editable = True
    lines: QTableWidget | None = None

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """Room for every column of the lines: the window widens the record pane to it
        (up to its share of the tab)."""
        hint = super().sizeHint()
        return QSize(max(hint.width(), WANTED_WIDTH), hint.height())

    def fetch(self) -> QuoteDetails:
        return get_quote(self.db, self.record_id)

    def title(self, record: QuoteDetails) -> str:
        return f"{quote_name(record)}  ·  {record.client_name}"

    def fields(self, record: QuoteDetails) -> Sequence[Field]:
        totals = record.totals
        fields: list[Field] = [
            ("Client", link(RecordKind.CLIENT, record.client_id, record.client_name)),
            ("État", status_html(record.status)),
            ("Gamme", text(record.product_line_name)),
            ("Date", text(french_date(record.issued_on) if record.issued_on else None)),
            ("Validité", validity_html(record, paris_today())),
            (
                "Durées",
                html.escape(
                    f"engagement initial de {record.initial_months} mois, puis renouvellement "
                    f"tacite par {record.renewal_months} mois"
                ),
            ),
            ("Mode de paiement", text(record.payment_method)),
        ]
        if record.discount_percent:
            fields.append(("Remise globale", text(f"{number_text(record.discount_percent)} %")))
        fields += [
            (
                "Totaux",
                f"HT <b>{money(totals.excl_vat)}</b> · TVA {money(totals.vat)} · "
                f"TTC <b>{money(totals.incl_vat)}</b>",
            ),
        ]
        if recurring_text(totals):
            fields.append(("Dont", html.escape(recurring_text(totals))))
        if record.contract_id is not None and record.contract_number is not None:
            shown = link(RecordKind.CONTRACT, record.contract_id, record.contract_number)
            fields.append(("Contrat", f"{shown} — {status_html(record.contract_status)}"))
        if record.decision_reason:
            fields.append(("Motif du refus", text(record.decision_reason)))
        if record.sent_at is not None:
            fields.append(("Envoyé le", text(french_datetime(record.sent_at))))
        if record.decided_at is not None:
            fields.append(("Décidé le", text(french_datetime(record.decided_at))))
        if record.notes:
            fields.append(("Notes", html.escape(record.notes).replace("\n", "<br>")))
        return fields

    def add_actions(self, record: QuoteDetails) -> None:
        self.edit_button.setEnabled(record.status is QuoteStatus.DRAFT)
        if self.lines is None:
            self.lines = lines_table()
        fill_lines(self.lines, record)
        if record.status is QuoteStatus.DRAFT:
            self.add_button(SEND, lambda: self.send(record), needs=Permission.CONTRACTS)
        if record.status is QuoteStatus.SENT:
            self.add_button(ACCEPT, lambda: self.accept(record), needs=Permission.CONTRACTS)
        if record.status in (QuoteStatus.DRAFT, QuoteStatus.SENT):
            self.add_button(REFUSE, lambda: self.refuse(record), needs=Permission.CONTRACTS)
        if record.contract_status is ContractStatus.PENDING and record.contract_id is not None:
            self.add_button(ACTIVATE, lambda: self.activate(record), needs=Permission.CONTRACTS)
        self.add_button(OPEN_PDF, lambda: self.open_pdf(record))
        self.add_button(SAVE_PDF, lambda: self.save_pdf(record))

    def add_lists(self, record: QuoteDetails) -> None:
        assert self.lines is not None
        self.tabs.addTab(self.lines, f"Lignes ({len(record.lines)})")

    # --- actions ------------------------------------------------------------------------

    def send(self, record: QuoteDetails) -> DateStepDialog:
        today = paris_today()
        dialog = DateStepDialog(
            self,
            self.worker,
            title=f"Envoyer le devis — {record.client_name}",
            action="Envoyer",
            intro=(
                "Le devis reçoit son numéro et la date du jour ; il ne pourra plus être modifié. "
                "Il part par courriel si un serveur d'envoi (SMTP) est configuré, sinon "
                "envoyez vous-même le PDF au client."
            ),
            date_label="Valable jusqu'au",
            on=record.valid_until or today + timedelta(days=DEFAULT_VALIDITY_DAYS),
            date_key="valid_until",
            submit=lambda until: send_quote(
                self.db, record.id, actor=self.actor, valid_until=until, mailer=mailer(self.db)
            ),
        )
        dialog.completed.connect(self._sent)
        self.open_dialog(dialog)
        return dialog

    def _sent(self, result: SendResult) -> None:
        self.done(result.message)

    def accept(self, record: QuoteDetails) -> DateStepDialog:
        dialog = DateStepDialog(
            self,
            self.worker,
            title=f"Accepter le {quote_name(record).lower()}",
            action="Accepter",
            intro=(
                f"{record.client_name} a donné son accord (bon pour accord signé). Le contrat "
                "et les comptes demandés sont créés aussitôt, aux prix du devis ; un prospect "
                "devient client."
            ),
            date_label="Date de l'accord",
            on=paris_today(),
            submit=lambda day: accept_quote(self.db, record.id, actor=self.actor, today=day),
        )
        dialog.completed.connect(self._accepted)
        self.open_dialog(dialog)
        return dialog

    def _accepted(self, acceptance: Acceptance) -> None:
        boxes = len(acceptance.mailbox_ids)
        message = (
            f"{quote_name(acceptance.quote)} accepté : contrat {acceptance.contract_number} "
            f"créé avec {boxes} compte(s) demandé(s)."
        )
        if acceptance.client_converted:
            message += f" {acceptance.quote.client_name} est désormais client."
        self.done(message)
        box = QMessageBox(QMessageBox.Icon.Information, "Devis accepté", message, parent=self)
        box.setInformativeText(
            "Le service s'active ensuite depuis ce devis ou le contrat : « Activer le service… »."
        )
        opener = box.addButton(OPEN_CONTRACT, QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Fermer", QMessageBox.ButtonRole.RejectRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        contract_id = acceptance.contract_id
        box.finished.connect(lambda _r: self._contract_offered(box, opener, contract_id))
        self.open_dialog(box)

    def _contract_offered(self, box: QMessageBox, opener: object, contract_id: int) -> None:
        if box.clickedButton() is opener:
            self.navigate.emit(RecordKind.CONTRACT, contract_id)

    def refuse(self, record: QuoteDetails) -> ReasonDialog:
        dialog = ReasonDialog(
            self,
            self.worker,
            title=f"Refuser le {quote_name(record).lower()}",
            action="Marquer refusé",
            intro="Le devis seul est marqué refusé ; rien d'autre ne change.",
            reason_hint="Pourquoi le client décline (prix, délai, autre prestataire…)",
            submit=lambda typed: refuse_quote(
                self.db, record.id, reason=typed.reason, actor=self.actor
            ),
        )
        dialog.completed.connect(lambda _d: self.done(f"{quote_name(record)} refusé."))
        self.open_dialog(dialog)
        return dialog

    def activate(self, record: QuoteDetails) -> DateStepDialog:
        assert record.contract_id is not None and record.contract_number is not None
        return activate_service(self, record.contract_id, record.contract_number)

    def open_pdf(self, record: QuoteDetails) -> None:
        open_document(self, self.worker, lambda: quote_pdf(self, record), failed=self.report)

    def save_pdf(self, record: QuoteDetails) -> None:
        save_document(
            self,
            self.worker,
            lambda: quote_pdf(self, record),
            f"{quote_name(record)}.pdf",
            failed=self.report,
            saved=lambda path: self.notify(f"PDF enregistré : {path}"),
        )
