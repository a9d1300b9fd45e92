"""Everything an invoice or a credit note says, as frozen data for its renderers.

:mod:`desktop.services.invoice_print` builds an :class:`InvoiceDocument` from
the invoice's frozen snapshots (or, for a draft's preview, from the current
provider and client); :mod:`desktop.documents.invoice_pdf` prints it and
:mod:`desktop.documents.facturx` turns it into Factur-X. The values are plain
(no database, no Qt), so a document pickles to a worker process as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

from desktop.domain.addresses import PostalAddress
from desktop.domain.enums import ClientKind, InvoiceKind, PaymentMethod
from desktop.domain.invoice_totals import Totals, invoice_totals

DRAFT_MARK = "BROUILLON — sans valeur"
"""Across every page of a draft's preview."""


@dataclass(frozen=True)
class InvoiceSeller:
    """The provider as the invoice was issued (its snapshot), with its current logo."""

    name: str
    legal_form: str
    share_capital: Decimal
    address: PostalAddress
    siren: str
    rcs_city: str
    vat_number: str
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    iban: str | None = None
    bic: str | None = None
    logo: bytes | None = None
    logo_mime: str | None = None


@dataclass(frozen=True)
class InvoiceParty:
    """The buyer as the invoice was issued."""

    code: str
    kind: ClientKind
    name: str
    address: PostalAddress
    legal_form: str | None = None
    siren: str | None = None
    siret: str | None = None
    vat_number: str | None = None
    billing_email: str | None = None
    chorus_pro_id: str | None = None
    chorus_pro_service_code: str | None = None

    @property
    def is_consumer(self) -> bool:
        return self.kind is ClientKind.CONSUMER


@dataclass(frozen=True)
class InvoiceTerms:
    """Payment terms and the legal mentions in force when the invoice was issued."""

    due_on: date | None
    payment_method: PaymentMethod | None
    penalty_rate: Decimal
    """Late-payment penalties, percent a year (Code de commerce L441-10)."""
    recovery_indemnity: Decimal
    """The fixed indemnity for recovery costs (art. D441-5), in euros."""
    early_payment_discount: str
    """« Pas d'escompte pour paiement anticipé. » or the discount's terms."""
    vat_on_debits: bool
    """The seller opted to pay VAT on debits (else on receipts, services' default)."""
    creditor_id: str | None = None
    """The seller's SEPA creditor identifier (ICS)."""
    mandate_rum: str | None = None
    """For a direct debit: the mandate's unique reference (RUM) when it was issued."""
    debited_account: str | None = None
    """For a direct debit: the debtor's IBAN, masked (« FR****…0189 »)."""


@dataclass(frozen=True)
class InvoiceLineData:
    position: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    """Excl. VAT, up to 4 decimals."""
    vat_rate: Decimal
    """Percent: Decimal("20.00")."""
    amount: Decimal
    """Excl. VAT, rounded to the cent when the line was made."""
    period_start: date | None = None
    period_end: date | None = None


@dataclass(frozen=True)
class CorrectedInvoice:
    """The invoice a credit note corrects."""

    number: str
    issued_on: date


@dataclass(frozen=True)
class InvoiceDocument:
    kind: InvoiceKind
    number: str | None
    """None for a draft's preview: numbered only when issued."""
    issued_on: date
    """The issue date; a draft's preview shows the day it was made."""
    seller: InvoiceSeller
    buyer: InvoiceParty
    lines: tuple[InvoiceLineData, ...]
    terms: InvoiceTerms
    period_start: date | None = None
    period_end: date | None = None
    purchase_order_ref: str | None = None
    corrects: CorrectedInvoice | None = None
    reason: str | None = None
    """Why a credit note was made."""
    footer: str | None = None
    """The provider's free text at the bottom of every invoice."""
    currency: str = "EUR"

    @property
    def is_draft(self) -> bool:
        return self.number is None

    @property
    def is_credit_note(self) -> bool:
        return self.kind is InvoiceKind.CREDIT_NOTE

    @property
    def kind_label(self) -> str:
        """« Facture » or « Avoir »."""
        return self.kind.label

    @property
    def title(self) -> str:
        """« Facture F2026-000012 », « Avoir AV2026-000003 », « Facture (brouillon) »."""
        if self.number is None:
            return f"{self.kind_label} (brouillon)"
        return f"{self.kind_label} {self.number}"

    @cached_property
    def totals(self) -> Totals:
        """Excl. VAT, VAT per rate and incl. VAT, by the one rule of
        :func:`desktop.domain.invoice_totals.invoice_totals` (worked out once:
        the PDF and the XML both read them)."""
        return invoice_totals((line.amount, line.vat_rate) for line in self.lines)
