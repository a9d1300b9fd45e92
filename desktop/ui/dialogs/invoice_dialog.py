"""What the dialogs acting on one issued invoice share: the invoice, who acts, the form.

A payment or a credit note is written beside the invoice (never into it): the
dialog knows the invoice as its record showed it, lays its fields out in
:attr:`column`, and re-reads the invoice if another desktop changed it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop.db.engine import Database
from desktop.services.invoices import InvoiceDetails, get_invoice
from desktop.ui.widgets.record_dialog import RecordDialog


class InvoiceDialog(RecordDialog):
    title_format = "{number}"
    """The window's title, given the invoice's ``number``."""
    action = "Enregistrer"

    def __init__(
        self, parent: QWidget | None, *, db: Database, invoice: InvoiceDetails, actor: str
    ) -> None:
        super().__init__(parent, title=self.title_format.format(number=invoice.number))
        self.db = db
        self.actor = actor
        self.invoice = invoice
        self.save_button.setText(self.action)
        self.column = QVBoxLayout(self.body)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.build()

    def build(self) -> None:
        """Lay the fields out in :attr:`column` (then show :attr:`invoice`)."""
        raise NotImplementedError

    def reload(self) -> InvoiceDetails:
        return get_invoice(self.db, self.invoice.id)
