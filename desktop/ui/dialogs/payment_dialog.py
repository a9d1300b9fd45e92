"""« Enregistrer un paiement »: date, amount, method and reference of one payment.

The amount starts at what remains due and is typed the French way
(« 1 234,56 »); a payment may be partial, never more than the balance. What
is wrong shows under its field; the balance and the invoice's state follow.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit

from desktop.domain.clock import paris_today
from desktop.domain.enums import InvoiceStatus, PaymentMethod
from desktop.services.invoices import InvoiceDetails
from desktop.services.payments import PaymentResult, record_payment
from desktop.ui.dialogs.invoice_dialog import InvoiceDialog
from desktop.ui.formatting import money
from desktop.ui.widgets.amount_field import AmountField, positive_amount
from desktop.ui.widgets.date_field import DateField, date_value
from desktop.ui.widgets.enum_combo import EnumCombo
from desktop.ui.widgets.validated_form import optional

REFERENCE_HINT = "N° de chèque, libellé du virement…"


@dataclass(frozen=True)
class PaymentDraft:
    paid_on: date
    amount: Decimal
    method: PaymentMethod
    reference: str | None


def payment_text(result: PaymentResult) -> str:
    """What the record view says once the payment is recorded."""
    if result.status is InvoiceStatus.PAID or result.balance <= 0:
        return "Paiement enregistré : la facture est payée."
    return f"Paiement enregistré : reste dû {money(result.balance)}."


class PaymentDialog(InvoiceDialog):
    title_format = "Paiement — facture {number}"
    action = "Enregistrer le paiement"

    def build(self) -> None:
        column = self.column
        self.about = QLabel()
        self.about.setWordWrap(True)
        column.addWidget(self.about)
        fields = QFormLayout()
        fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        column.addLayout(fields)
        column.addStretch(1)
        form = self.form
        self.paid_on = DateField(paris_today())
        form.add_row(
            fields, "Payé le", form.add("paid_on", self.paid_on, date_value("Indiquez la date."))
        )
        self.amount = AmountField()
        self.amount_field = form.add("amount", self.amount, title="Montant")
        form.add_row(fields, "Montant", self.amount_field, QLabel("€"))
        self.method = EnumCombo(PaymentMethod)
        form.add_row(fields, "Mode de paiement", form.add("method", self.method, title="Mode"))
        self.reference = QLineEdit()
        self.reference.setMaxLength(140)
        self.reference.setPlaceholderText(REFERENCE_HINT)
        form.add_row(
            fields,
            "Référence",
            form.add("reference", self.reference, optional(str), title="Référence"),
        )
        self.load(self.invoice)
        self.setMinimumWidth(520)
        self.amount.setFocus()
        self.amount.selectAll()

    # --- InvoiceDialog -------------------------------------------------------------------

    def fill(self, details: InvoiceDetails) -> None:
        self.invoice = details
        balance = details.balance
        self.amount_field.validate = positive_amount(
            "Indiquez le montant payé.",
            at_most=balance,
            too_much=f"Le montant dépasse ce qui reste dû sur la facture ({money(balance)}).",
        )
        self.about.setText(
            f"<b>Facture {html.escape(details.number or '')}</b> — "
            f"{html.escape(details.client_name)}<br>"
            f"Total TTC {money(details.total_incl_vat)} · déjà réglé {money(details.paid)}"
            + (f" · avoirs {money(details.credited)}" if details.credited else "")
            + f" · <b>reste dû {money(balance)}</b>"
        )
        self.amount.set_amount(balance)
        self.method.set_value(details.payment_method or PaymentMethod.TRANSFER)

    def build_draft(self) -> PaymentDraft:
        value = self.form.value
        return PaymentDraft(value("paid_on"), value("amount"), value("method"), value("reference"))

    def write(self, draft: PaymentDraft) -> PaymentResult:
        return record_payment(
            self.db,
            self.invoice.id,
            paid_on=draft.paid_on,
            amount=draft.amount,
            method=draft.method,
            reference=draft.reference,
            actor=self.actor,
        )
