"""Invoices and credit notes, their lines, payments, and numbering counters."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.db.models.base import Base, IdMixin, Versioned
from desktop.db.types import Money, Quantity, Rate, UnitPrice, enum_type
from desktop.domain.clock import utc_now
from desktop.domain.enums import InvoiceKind, InvoiceLineKind, InvoiceStatus, PaymentMethod


class Invoice(IdMixin, Versioned, Base):
    """An invoice or a credit note. Issued ones are never changed or deleted.

    The number is allocated at issue, in the issuing transaction; the hash
    chains every issued document to the one before it.
    """

    __tablename__ = "invoice"
    __table_args__ = (
        sa.CheckConstraint(
            "status = 'draft' OR (number IS NOT NULL AND issued_on IS NOT NULL)",
            name="issued_has_number",
        ),
        sa.CheckConstraint(
            "kind = 'credit_note' OR corrects_id IS NULL", name="only_credit_notes_correct"
        ),
        sa.CheckConstraint(
            "period_end IS NULL OR period_start IS NULL OR period_end >= period_start",
            name="valid_period",
        ),
        # A billing run makes at most one invoice per client and month.
        sa.Index("ux_invoice_client_month", "client_id", "billing_month", unique=True),
        sa.Index("ux_invoice_chain_index", "chain_index", unique=True),
    )

    client_id: Mapped[int] = mapped_column(sa.ForeignKey("client.id"), index=True)
    kind: Mapped[InvoiceKind] = mapped_column(enum_type(InvoiceKind, "invoice_kind"), index=True)
    number: Mapped[str | None] = mapped_column(sa.String(35), unique=True)
    status: Mapped[InvoiceStatus] = mapped_column(
        enum_type(InvoiceStatus, "invoice_status"), index=True, default=InvoiceStatus.DRAFT
    )
    issued_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    issued_at: Mapped[datetime | None]
    issued_by: Mapped[str | None] = mapped_column(sa.String(64))
    due_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    period_start: Mapped[date | None] = mapped_column(sa.Date)
    period_end: Mapped[date | None] = mapped_column(sa.Date)
    # First day of the month a monthly billing run made this invoice for.
    billing_month: Mapped[date | None] = mapped_column(sa.Date, index=True)
    is_renewal: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    corrects_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invoice.id"), index=True)
    total_excl_vat: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    total_vat: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    total_incl_vat: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    currency: Mapped[str] = mapped_column(sa.String(3), default="EUR")
    payment_method: Mapped[PaymentMethod | None] = mapped_column(
        enum_type(PaymentMethod, "invoice_payment_method")
    )
    purchase_order_ref: Mapped[str | None] = mapped_column(sa.String(100))
    # What was printed for the buyer, frozen at issue.
    buyer_name: Mapped[str | None] = mapped_column(sa.String(200))
    buyer_address: Mapped[str | None] = mapped_column(sa.Text)
    buyer_siren: Mapped[str | None] = mapped_column(sa.String(9))
    buyer_vat_number: Mapped[str | None] = mapped_column(sa.String(20))
    # What was printed for the seller (the provider's identity and the legal
    # mentions in force), frozen at issue as canonical JSON.
    seller_json: Mapped[str | None] = mapped_column(sa.Text)
    # The buyer's identity and addresses, frozen at issue as canonical JSON.
    buyer_json: Mapped[str | None] = mapped_column(sa.Text)
    # Why a credit note was made (printed on it).
    reason: Mapped[str | None] = mapped_column(sa.Text)
    dispute_at: Mapped[datetime | None]
    dispute_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Position in the chain of every issued document (invoices and credit notes):
    # 1, 2, 3… in issue order, with no gap.
    chain_index: Mapped[int | None] = mapped_column(sa.Integer)
    previous_hash: Mapped[str | None] = mapped_column(sa.String(64))
    hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    pdf_sha256: Mapped[str | None] = mapped_column(sa.String(64))

    lines: Mapped[list[InvoiceLine]] = relationship(
        cascade="all, delete-orphan", order_by="InvoiceLine.position"
    )
    payments: Mapped[list[Payment]] = relationship(order_by="Payment.paid_on")


class InvoiceLine(IdMixin, Base):
    __tablename__ = "invoice_line"
    __table_args__ = (sa.UniqueConstraint("invoice_id", "position"),)

    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoice.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(sa.Integer)
    kind: Mapped[InvoiceLineKind] = mapped_column(enum_type(InvoiceLineKind, "invoice_line_kind"))
    description: Mapped[str] = mapped_column(sa.String(500))
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    unit_price_excl_vat: Mapped[Decimal] = mapped_column(UnitPrice())
    vat_rate: Mapped[Decimal] = mapped_column(Rate())
    amount_excl_vat: Mapped[Decimal] = mapped_column(Money())
    period_start: Mapped[date | None] = mapped_column(sa.Date)
    period_end: Mapped[date | None] = mapped_column(sa.Date)
    mailbox_id: Mapped[int | None] = mapped_column(sa.ForeignKey("mailbox.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contract.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plan.id"))
    option_id: Mapped[int | None] = mapped_column(sa.ForeignKey("catalogue_option.id"))
    # The subscription an option line bills (per-act options are billed once).
    subscribed_option_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("subscribed_option.id"), index=True
    )
    # On a credit note: the invoice line it corrects.
    corrects_line_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invoice_line.id"))


class Payment(IdMixin, Versioned, Base):
    __tablename__ = "payment"
    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)

    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoice.id"), index=True)
    paid_on: Mapped[date] = mapped_column(sa.Date, index=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    method: Mapped[PaymentMethod] = mapped_column(enum_type(PaymentMethod, "payment_method"))
    reference: Mapped[str | None] = mapped_column(sa.String(140))
    recorded_at: Mapped[datetime] = mapped_column(default=utc_now)
    recorded_by: Mapped[str | None] = mapped_column(sa.String(64))
    rejected_at: Mapped[datetime | None]
    rejection_reason: Mapped[str | None] = mapped_column(sa.String(200))


class Counter(Base):
    """One row per numbered series; incremented under a row lock when used."""

    __tablename__ = "counter"
    __table_args__ = (sa.CheckConstraint("next_value >= 1", name="next_value_positive"),)

    series: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    next_value: Mapped[int] = mapped_column(sa.Integer, default=1)
