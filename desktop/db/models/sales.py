"""Quotes (devis): what a client is offered before it orders."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.db.models.base import Audited, Base, IdMixin, Versioned
from desktop.db.types import Money, Quantity, Rate, UnitPrice, enum_type
from desktop.domain.enums import PaymentMethod, QuoteStatus


class Quote(IdMixin, Versioned, Base):
    __tablename__ = "quote"

    client_id: Mapped[int] = mapped_column(sa.ForeignKey("client.id"), index=True)
    product_line_id: Mapped[int] = mapped_column(sa.ForeignKey("product_line.id"), index=True)
    # Allocated from its own continuous series when the quote is sent.
    number: Mapped[str | None] = mapped_column(sa.String(35), unique=True)
    issued_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    valid_until: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[QuoteStatus] = mapped_column(
        enum_type(QuoteStatus, "quote_status"), index=True, default=QuoteStatus.DRAFT
    )
    initial_months: Mapped[int] = mapped_column(sa.Integer, default=12)
    renewal_months: Mapped[int] = mapped_column(sa.Integer, default=12)
    payment_method: Mapped[PaymentMethod | None] = mapped_column(
        enum_type(PaymentMethod, "quote_payment_method")
    )
    total_excl_vat: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    total_vat: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    total_incl_vat: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.00"))
    # A global discount in percent, applied to every line after its own discount.
    discount_percent: Mapped[Decimal | None] = mapped_column(Rate())
    notes: Mapped[str | None] = mapped_column(sa.Text)
    # Why it was refused (or any note given with the decision).
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]

    lines: Mapped[list[QuoteLine]] = relationship(
        cascade="all, delete-orphan", order_by="QuoteLine.position"
    )


class QuoteLine(IdMixin, Base):
    __tablename__ = "quote_line"
    __table_args__ = (
        sa.UniqueConstraint("quote_id", "position"),
        sa.CheckConstraint(
            "discount_percent >= 0 AND discount_percent <= 100", name="discount_range"
        ),
    )

    quote_id: Mapped[int] = mapped_column(sa.ForeignKey("quote.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(sa.Integer)
    plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plan.id"), index=True)
    option_id: Mapped[int | None] = mapped_column(sa.ForeignKey("catalogue_option.id"), index=True)
    description: Mapped[str] = mapped_column(sa.String(500))
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    unit_price_excl_vat: Mapped[Decimal] = mapped_column(UnitPrice())
    discount_percent: Mapped[Decimal] = mapped_column(Rate(), default=Decimal("0.00"))
    # An amount off the line (excl. VAT); when set, the percentage is not used.
    discount_amount: Mapped[Decimal | None] = mapped_column(Money())
    vat_rate: Mapped[Decimal] = mapped_column(Rate())
    amount_excl_vat: Mapped[Decimal] = mapped_column(Money())


class ContractPrice(IdMixin, Audited, Base):
    """A price negotiated for a contract (its quote's), billed instead of the catalogue's.

    One per plan or option of the contract, excl. VAT and to the cent; it holds
    for the contract's whole life (pro rata and billing terms unchanged).
    """

    __tablename__ = "contract_price"
    __table_args__ = (
        sa.CheckConstraint("(plan_id IS NULL) <> (option_id IS NULL)", name="plan_xor_option"),
        sa.CheckConstraint("unit_price_excl_vat >= 0", name="price_not_negative"),
        sa.UniqueConstraint("contract_id", "plan_id"),
        sa.UniqueConstraint("contract_id", "option_id"),
    )

    # Indexed by the unique keys, which it leads.
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contract.id"))
    plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plan.id"), index=True)
    option_id: Mapped[int | None] = mapped_column(sa.ForeignKey("catalogue_option.id"), index=True)
    unit_price_excl_vat: Mapped[Decimal] = mapped_column(Money())
