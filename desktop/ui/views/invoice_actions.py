"""What the invoice view's buttons do: issue a draft, record a payment, make a credit
note, record a dispute, and open, print or save the PDF.

An issued invoice is never changed: a payment, a credit note or a dispute is
written beside it, and its PDF is rebuilt from what was frozen at issue (a
Factur-X file). A draft's PDF is a preview, marked as such, without a number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.db.engine import Database
from desktop.domain.enums import InvoiceKind
from desktop.domain.roles import Permission
from desktop.services.invoices import InvoiceDetails
from desktop.ui.db_worker import Job
from desktop.ui.dialogs.credit_note_dialog import CreditNoteDialog
from desktop.ui.dialogs.dispute_dialog import DisputeDialog
from desktop.ui.dialogs.payment_dialog import PaymentDialog, payment_text
from desktop.ui.documents import Document, open_document, save_document
from desktop.ui.formatting import money
from desktop.ui.tabs.invoice_batch import print_document
from desktop.ui.widgets.confirm import confirm

if TYPE_CHECKING:
    from desktop.ui.views.base import RecordView

ISSUE = "Émettre la facture…"
PAY = "Enregistrer un paiement…"
CREDIT = "Faire un avoir…"
DISPUTE = "Contestation…"
OPEN_PDF = "Ouvrir le PDF"
PRINT = "Imprimer…"
SAVE_PDF = "Enregistrer le PDF…"
MAIL = "Envoyer par e-mail…"


def add_invoice_actions(view: RecordView, record: InvoiceDetails) -> None:
    if record.is_draft:
        view.add_button(ISSUE, lambda: issue(view, record), needs=Permission.BILLING)
    elif record.kind is InvoiceKind.INVOICE:
        view.add_button(
            PAY,
            lambda: record_payment(view, record),
            enabled=record.balance > 0,
            tip="" if record.balance > 0 else "Rien ne reste dû sur cette facture.",
            needs=Permission.PAYMENTS,
        )
        view.add_button(
            CREDIT,
            lambda: make_credit_note(view, record),
            enabled=record.creditable > 0,
            tip="" if record.creditable > 0 else "Toute la facture est déjà créditée.",
            needs=Permission.CREDIT_NOTES,
        )
        view.add_button(
            DISPUTE,
            lambda: record_dispute(view, record),
            enabled=record.dispute is None,
            tip="" if record.dispute is None else "Une contestation est déjà enregistrée.",
            needs=Permission.PAYMENTS,
        )
    view.add_button(OPEN_PDF, lambda: open_pdf(view, record))
    view.add_button(PRINT, lambda: print_pdf(view, record))
    view.add_button(SAVE_PDF, lambda: save_pdf(view, record))
    if record.number is not None:
        view.add_button(MAIL, lambda: mail(view, record), needs=Permission.BILLING)


# --- issuing --------------------------------------------------------------------------------


def issue(view: RecordView, record: InvoiceDetails) -> None:
    if not confirm(
        view,
        "Émettre la facture",
        f"Émettre la facture de {record.client_name} ({money(record.total_incl_vat)} TTC) ?",
        yes="Émettre",
        detail=(
            "Elle reçoit son numéro définitif et ne pourra plus être modifiée ni supprimée "
            "(seulement corrigée par un avoir)."
        ),
    ):
        return
    from desktop.services.issuing import issue_drafts

    view.worker.submit(
        Job(
            work=lambda: issue_drafts(view.db, [record.id], actor=view.actor),
            on_done=lambda numbers: view.done(f"Facture émise sous le n° {numbers[0]}."),
            on_error=view.report,
        )
    )


# --- payments, credit notes, disputes -------------------------------------------------------


def record_payment(view: RecordView, record: InvoiceDetails) -> PaymentDialog:
    dialog = PaymentDialog(view, db=view.db, invoice=record, actor=view.actor)
    dialog.accepted.connect(lambda: view.done(payment_text(dialog.saved)))
    view.open_dialog(dialog)
    return dialog


def make_credit_note(view: RecordView, record: InvoiceDetails) -> CreditNoteDialog:
    dialog = CreditNoteDialog(view, db=view.db, invoice=record, actor=view.actor)
    dialog.accepted.connect(lambda: view.done(f"Avoir {dialog.saved} émis."))
    view.open_dialog(dialog)
    return dialog


def record_dispute(view: RecordView, record: InvoiceDetails) -> DisputeDialog:
    dialog = DisputeDialog(view, view.worker, db=view.db, invoice=record, actor=view.actor)
    dialog.completed.connect(lambda result: view.done(dialog.outcome(result)))
    view.open_dialog(dialog)
    return dialog


# --- the PDF --------------------------------------------------------------------------------


def mail(view: RecordView, record: InvoiceDetails) -> object:
    """The document into the outbox, its PDF attached."""
    from desktop.ui.invoice_mailing import mail_invoices

    return mail_invoices(
        view, view.db, [record.id], done=view.done, failed=view.report, actor=view.actor
    )


def pdf_name(record: InvoiceDetails) -> str:
    if record.number is None:
        return f"Brouillon de facture {record.client_name}.pdf"
    return f"{record.number}.pdf"


def invoice_pdf(db: Database, record: InvoiceDetails) -> Document:
    """The Factur-X PDF of an issued document, or the preview of a draft."""
    if record.number is None:
        from desktop.documents.invoice_pdf import build_invoice
        from desktop.services.invoice_print import draft_document

        return Document(pdf_name(record), build_invoice(draft_document(db, record.id)).data)
    from desktop.documents.facturx import build_facturx
    from desktop.services.invoice_print import invoice_document

    return Document(pdf_name(record), build_facturx(invoice_document(db, record.number)).data)


def open_pdf(view: RecordView, record: InvoiceDetails) -> None:
    open_document(view, view.worker, lambda: invoice_pdf(view.db, record), failed=view.report)


def print_pdf(view: RecordView, record: InvoiceDetails) -> None:
    print_document(view, view.worker, lambda: invoice_pdf(view.db, record), failed=view.report)


def save_pdf(view: RecordView, record: InvoiceDetails) -> None:
    save_document(
        view,
        view.worker,
        lambda: invoice_pdf(view.db, record),
        pdf_name(record),
        failed=view.report,
        saved=lambda path: view.notify(f"PDF enregistré : {path}"),
    )
