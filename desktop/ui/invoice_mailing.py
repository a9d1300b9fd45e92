"""« Envoyer par e-mail… »: issued invoices and credit notes into the outbox, PDF attached.

The same for one document (its record) and for a selection (the Factures
list): after a confirmation, the messages are prepared and their Factur-X PDFs
made in the background (on all cores), then queued in one transaction; the
outbox sends them through this desktop's SMTP server.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QWidget

from desktop.db.engine import Database
from desktop.domain.roles import Permission
from desktop.errors import UserError
from desktop.services.access import check_permission
from desktop.services.invoice_mail import MailPlan, invoice_mails, queue_invoice_mails
from desktop.ui.batch_progress import Steps
from desktop.ui.formatting import plural
from desktop.ui.progress import Cancelled, Progress, run_with_progress
from desktop.ui.widgets.confirm import confirm

TITLE = "Envoi par e-mail"


def _reasons(plan: MailPlan) -> str:
    return "; ".join(f"{what} : {why}" for what, why in plan.skipped[:3])


def mailed_text(count: int, plan: MailPlan) -> str:
    """« 2 documents mis dans la boîte d'envoi … ; 1 ignoré (…) »."""
    text = (
        f"{plural(count, 'document mis', 'documents mis')} dans la boîte d'envoi, "
        "envoyés par le serveur d'envoi de ce poste."
    )
    if plan.skipped:
        text += f" {plural(len(plan.skipped), 'ignoré', 'ignorés')} ({_reasons(plan)})."
    return text


def mail_work(
    db: Database, invoice_ids: Sequence[int], actor: str | None = None
) -> Callable[[Progress], str]:
    """What runs in the background: the messages, their PDFs, then the outbox."""
    from desktop.documents.batch import render_invoices
    from desktop.services.invoice_print import invoice_documents

    def work(progress: Progress) -> str:
        check_permission(db, actor, Permission.BILLING)  # refused before any PDF is made
        progress("Préparation des messages…", 0, len(invoice_ids))
        plan = invoice_mails(db, invoice_ids)
        if not plan.ready:
            raise UserError(f"Aucun document à envoyer ({_reasons(plan)}).")
        documents = invoice_documents(db, [mail.invoice_id for mail in plan.ready])
        steps = Steps(progress, "Création des PDF…")
        pdfs = render_invoices(documents, progress=steps.moved, cancelled=steps.cancelled)
        if steps.cancelled() or len(pdfs) < len(plan.ready):
            raise Cancelled()
        count = queue_invoice_mails(db, plan.ready, [pdf.data for pdf in pdfs], actor=actor)
        return mailed_text(count, plan)

    return work


def mail_invoices(
    owner: QWidget,
    db: Database,
    invoice_ids: Sequence[int],
    *,
    done: Callable[[str], None],
    failed: Callable[[Exception], None],
    ask: Callable[[QWidget, int], bool] | None = None,
    actor: str | None = None,
) -> object:
    """Ask, then queue the documents' emails in the background; the progress dialog."""
    if not (ask or confirm_mailing)(owner, len(invoice_ids)):
        return None

    def refused(error: Exception) -> None:
        if isinstance(error, Cancelled):
            failed(UserError("Envoi annulé : rien n'a été mis dans la boîte d'envoi."))
        else:
            failed(error)

    return run_with_progress(owner, TITLE, mail_work(db, invoice_ids, actor), done, refused)


def confirm_mailing(owner: QWidget, count: int) -> bool:
    documents = plural(count, "document", "documents")
    return confirm(
        owner,
        TITLE,
        f"Envoyer {documents} par e-mail ?",
        yes="Envoyer",
        detail=(
            "Chaque client reçoit sa facture ou son avoir (PDF Factur-X) à son adresse de "
            "facturation. Les messages passent par la boîte d'envoi."
        ),
    )
