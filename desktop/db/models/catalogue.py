"""What is sold: product lines with their terms, plans, options, price history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.db.models.base import Base, IdMixin, Versioned
from desktop.db.types import Money, Rate, enum_type
from desktop.domain.enums import MailboxKind, OptionBilling, OptionCategory, ProductLineCode


class ProductLine(IdMixin, Versioned, Base):
    """Hosted Exchange or Office 365, each under its own contract terms."""

    __tablename__ = "product_line"

    code: Mapped[ProductLineCode] = mapped_column(
        enum_type(ProductLineCode, "product_line_code"), unique=True
    )
    name: Mapped[str] = mapped_column(sa.String(100))
    # Allowed initial commitments in months, comma-separated ("12" or "12,24,36").
    initial_months_choices: Mapped[str] = mapped_column(sa.String(40), default="12")
    initial_months: Mapped[int] = mapped_column(sa.Integer, default=12)
    renewal_months: Mapped[int] = mapped_column(sa.Integer, default=12)
    sla_applies: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # DNS records the client sets (instruction sheet); None: the line's default.
    # "{domain}" and "{domain_dashed}" stand for the client's domain.
    dns_mx: Mapped[str | None] = mapped_column(sa.String(253))
    dns_mx_priority: Mapped[int | None] = mapped_column(sa.Integer)
    dns_autodiscover: Mapped[str | None] = mapped_column(sa.String(253))
    dns_spf: Mapped[str | None] = mapped_column(sa.String(500))

    plans: Mapped[list[Plan]] = relationship(back_populates="product_line", order_by="Plan.id")


class Plan(IdMixin, Versioned, Base):
    __tablename__ = "plan"
    __table_args__ = (
        # Target of the mailbox's (plan, product line) foreign key.
        sa.UniqueConstraint("id", "product_line_id"),
        sa.CheckConstraint("quota_gb > 0", name="quota_positive"),
        sa.CheckConstraint("max_message_mb > 0", name="max_message_positive"),
    )

    product_line_id: Mapped[int] = mapped_column(sa.ForeignKey("product_line.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100), index=True)
    platform: Mapped[str | None] = mapped_column(sa.String(40))
    mailbox_kind: Mapped[MailboxKind] = mapped_column(
        enum_type(MailboxKind, "plan_mailbox_kind"), default=MailboxKind.USER
    )
    quota_gb: Mapped[int] = mapped_column(sa.Integer)
    max_message_mb: Mapped[int] = mapped_column(sa.Integer, default=10)
    included_services: Mapped[str | None] = mapped_column(sa.Text)
    # VAT rate in percent; None: the provider's default rate.
    vat_rate: Mapped[Decimal | None] = mapped_column(Rate())
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)

    product_line: Mapped[ProductLine] = relationship(back_populates="plans")
    prices: Mapped[list[Price]] = relationship(order_by="Price.valid_from")


class CatalogueOption(IdMixin, Versioned, Base):
    """An option, an initial fee or an extra service (migration, training…)."""

    __tablename__ = "catalogue_option"

    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100), index=True)
    category: Mapped[OptionCategory] = mapped_column(enum_type(OptionCategory, "option_category"))
    billing: Mapped[OptionBilling] = mapped_column(enum_type(OptionBilling, "option_billing"))
    product_line_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("product_line.id"), index=True
    )
    description: Mapped[str | None] = mapped_column(sa.Text)
    # VAT rate in percent; None: the provider's default rate.
    vat_rate: Mapped[Decimal | None] = mapped_column(Rate())
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)

    prices: Mapped[list[Price]] = relationship(order_by="Price.valid_from")


class Price(IdMixin, Versioned, Base):
    """A price excl. VAT valid over [valid_from, valid_to); invoices copy it."""

    __tablename__ = "price"
    __table_args__ = (
        sa.CheckConstraint("(plan_id IS NULL) <> (option_id IS NULL)", name="plan_xor_option"),
        sa.CheckConstraint("amount_excl_vat >= 0", name="amount_not_negative"),
        sa.CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="valid_period"),
        sa.UniqueConstraint("plan_id", "valid_from"),
        sa.UniqueConstraint("option_id", "valid_from"),
    )

    plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plan.id"), index=True)
    option_id: Mapped[int | None] = mapped_column(sa.ForeignKey("catalogue_option.id"), index=True)
    amount_excl_vat: Mapped[Decimal] = mapped_column(Money())
    valid_from: Mapped[date] = mapped_column(sa.Date)
    valid_to: Mapped[date | None] = mapped_column(sa.Date)
