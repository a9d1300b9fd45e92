"""« Contestation »: a client disputes an invoice; when and why are recorded.

A renewal invoice must be disputed by e-mail within 5 days of it (HE §9.5):
the dialog says, as the date is typed, whether the dispute is late, and the
record keeps it flagged so.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QWidget

from desktop.db.engine import Database
from desktop.domain.clock import paris_today
from desktop.services.invoices import InvoiceDetails
from desktop.services.payments import DisputeResult, record_dispute
from desktop.ui.db_worker import DbWorker
from desktop.ui.dialogs.reason_dialog import ReasonDialog
from desktop.ui.formatting import french_date, plural


def late_text(days: int = 5) -> str:
    return f"contestation tardive (plus de {days} jours)"


def lateness(invoice: InvoiceDetails, received_on: date | None) -> str:
    """The warning of a late dispute, in French ("" when it would not be late)."""
    issued_on = invoice.issued_on
    if issued_on is None or received_on is None or not invoice.dispute_is_late(received_on):
        return ""
    days = plural((received_on - issued_on).days, "jour", "jours")
    return f"Reçue {days} après la facture : {late_text(invoice.dispute_days)}."


class DisputeDialog(ReasonDialog):
    def __init__(
        self,
        parent: QWidget | None,
        worker: DbWorker,
        *,
        db: Database,
        invoice: InvoiceDetails,
        actor: str,
    ) -> None:
        self.invoice = invoice
        renewal = " de renouvellement" if invoice.is_renewal else ""
        super().__init__(
            parent,
            worker,
            title=f"Contestation — facture {invoice.number}",
            action="Enregistrer la contestation",
            intro=(
                f"Le client conteste la facture{renewal} {invoice.number} du "
                f"{french_date(invoice.issued_on)}. Une facture de renouvellement se conteste "
                f"par e-mail dans les {invoice.dispute_days} jours (HE §9.5) ; au-delà, la "
                "contestation est enregistrée comme tardive."
            ),
            date_label="Reçue le",
            date_key="received_on",
            on=paris_today(),
            reason_hint="Ce que conteste le client, d'après son e-mail",
            submit=lambda typed: record_dispute(
                db, invoice.id, received_on=typed.on, reason=typed.reason, actor=actor
            ),
        )
        assert self.date is not None
        self.date.textChanged.connect(self._show_lateness)
        self._show_lateness()

    def _show_lateness(self) -> None:
        assert self.date is not None
        text = lateness(self.invoice, self.date.date())
        self.warning.setText(text)
        self.warning.setVisible(bool(text))

    def lateness_shown(self) -> str:
        return self.warning.text() if self.warning.isVisible() else ""

    def outcome(self, result: DisputeResult) -> str:
        """What the record view says once the dispute is recorded."""
        if result.late:
            return f"Contestation enregistrée : {late_text(self.invoice.dispute_days)}."
        return "Contestation enregistrée."
