"""The provider itself, its clients with their contacts, and its staff."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.db.models.base import Base, IdMixin, Versioned
from desktop.db.types import Money, Rate, enum_type
from desktop.domain.enums import ClientKind, ClientStatus, ContactRole, PaymentMethod, StaffRole


class Provider(Versioned, Base):
    """The provider's identity and its settings: a single row (id = 1)."""

    __tablename__ = "provider"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, default=1)
    name: Mapped[str] = mapped_column(sa.String(200))
    legal_form: Mapped[str] = mapped_column(sa.String(60))
    share_capital: Mapped[Decimal] = mapped_column(Money())
    address_line1: Mapped[str] = mapped_column(sa.String(200))
    address_line2: Mapped[str | None] = mapped_column(sa.String(200))
    postcode: Mapped[str] = mapped_column(sa.String(10))
    city: Mapped[str] = mapped_column(sa.String(100))
    country: Mapped[str] = mapped_column(sa.String(2), default="FR")
    siren: Mapped[str] = mapped_column(sa.String(9))
    rcs_city: Mapped[str] = mapped_column(sa.String(100))
    vat_number: Mapped[str] = mapped_column(sa.String(20))
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    website: Mapped[str | None] = mapped_column(sa.String(200))
    iban: Mapped[str | None] = mapped_column(sa.String(34))
    bic: Mapped[str | None] = mapped_column(sa.String(11))
    sepa_creditor_id: Mapped[str | None] = mapped_column(sa.String(35))
    logo: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    logo_mime: Mapped[str | None] = mapped_column(sa.String(50))
    invoice_footer: Mapped[str | None] = mapped_column(sa.Text)
    # Invoicing defaults (CGI, Code de commerce L441-10 and D441-5).
    default_vat_rate: Mapped[Decimal] = mapped_column(Rate(), default=Decimal("20.00"))
    payment_days: Mapped[int] = mapped_column(sa.Integer, default=30)
    penalty_rate: Mapped[Decimal] = mapped_column(Rate(), default=Decimal("12.00"))
    recovery_indemnity: Mapped[Decimal] = mapped_column(Money(), default=Decimal("40.00"))
    early_payment_discount: Mapped[str] = mapped_column(
        sa.String(200), default="Pas d'escompte pour paiement anticipé."
    )
    vat_on_debits: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    invoice_number_format: Mapped[str] = mapped_column(sa.String(35), default="F{year}-{seq:06d}")
    credit_note_number_format: Mapped[str] = mapped_column(
        sa.String(35), default="AV{year}-{seq:06d}"
    )
    quote_number_format: Mapped[str] = mapped_column(sa.String(35), default="D{year}-{seq:05d}")
    contract_number_format: Mapped[str] = mapped_column(sa.String(35), default="C{year}-{seq:05d}")
    incident_number_format: Mapped[str] = mapped_column(
        sa.String(35), default="ND-{year}-{seq:05d}"
    )
    # Domains (HE §4): extensions incompatible with the service, comma-separated.
    refused_tlds: Mapped[str] = mapped_column(sa.String(500), default="tel")
    # Contract interpretations (business rules §4-7), each one setting.
    renewal_floor_percent: Mapped[Decimal] = mapped_column(Rate(), default=Decimal("50.00"))
    sepa_warning_days: Mapped[int] = mapped_column(sa.Integer, default=30)
    dispute_days: Mapped[int] = mapped_column(sa.Integer, default=5)
    dunning_reminder_days: Mapped[int] = mapped_column(sa.Integer, default=8)
    dunning_deletion_hours: Mapped[int] = mapped_column(sa.Integer, default=48)
    dunning_deletion_needs_confirmation: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    # Support calendar (O365 §3).
    support_opens_at: Mapped[time] = mapped_column(sa.Time, default=time(9, 0))
    support_closes_at: Mapped[time] = mapped_column(sa.Time, default=time(18, 0))
    support_alsace_moselle: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    restoration_target_hours: Mapped[int] = mapped_column(sa.Integer, default=8)
    equipment_replacement_hours: Mapped[int] = mapped_column(sa.Integer, default=96)
    availability_target_percent: Mapped[Decimal] = mapped_column(Rate(), default=Decimal("99.00"))
    # SLA credit base (rules §7, interpretation): the invoice line kinds counted as
    # fixed fees, comma-separated; every other billed kind but credit is usage.
    sla_fixed_line_kinds: Mapped[str] = mapped_column(
        sa.String(200), default="subscription", server_default="subscription"
    )
    # Personal data: months after which a prospect without a deal, a terminated
    # client, a deleted mailbox are anonymised by the purge.
    retention_prospect_months: Mapped[int] = mapped_column(
        sa.Integer, default=36, server_default="36"
    )
    retention_client_months: Mapped[int] = mapped_column(
        sa.Integer, default=36, server_default="36"
    )
    retention_mailbox_months: Mapped[int] = mapped_column(
        sa.Integer, default=12, server_default="12"
    )


class Client(IdMixin, Versioned, Base):
    __tablename__ = "client"
    __table_args__ = (
        sa.CheckConstraint("length(code) > 0", name="code_not_empty"),
        sa.Index("ix_client_created_at", "created_at"),
    )

    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    kind: Mapped[ClientKind] = mapped_column(enum_type(ClientKind, "client_kind"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    legal_form: Mapped[str | None] = mapped_column(sa.String(60))
    siren: Mapped[str | None] = mapped_column(sa.String(9), index=True)
    siret: Mapped[str | None] = mapped_column(sa.String(14))
    vat_number: Mapped[str | None] = mapped_column(sa.String(20))
    address_line1: Mapped[str | None] = mapped_column(sa.String(200))
    address_line2: Mapped[str | None] = mapped_column(sa.String(200))
    postcode: Mapped[str | None] = mapped_column(sa.String(10))
    city: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    country: Mapped[str] = mapped_column(sa.String(2), default="FR")
    billing_email: Mapped[str] = mapped_column(sa.String(254), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    payment_method: Mapped[PaymentMethod | None] = mapped_column(
        enum_type(PaymentMethod, "client_payment_method")
    )
    chorus_pro_id: Mapped[str | None] = mapped_column(sa.String(20))
    chorus_pro_service_code: Mapped[str | None] = mapped_column(sa.String(100))
    consumer_waiver_at: Mapped[datetime | None]
    status: Mapped[ClientStatus] = mapped_column(
        enum_type(ClientStatus, "client_status"), index=True, default=ClientStatus.ACTIVE
    )
    notes: Mapped[str | None] = mapped_column(sa.Text)
    anonymised_at: Mapped[datetime | None]

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="Contact.id"
    )


class Contact(IdMixin, Versioned, Base):
    __tablename__ = "contact"
    __table_args__ = (
        # At most one primary contact per role of a client.
        sa.Index(
            "uq_contact_primary_per_role",
            "client_id",
            "role",
            unique=True,
            sqlite_where=sa.text("is_primary"),
            postgresql_where=sa.text("is_primary"),
        ),
    )

    client_id: Mapped[int] = mapped_column(
        sa.ForeignKey("client.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[ContactRole] = mapped_column(enum_type(ContactRole, "contact_role"))
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    is_primary: Mapped[bool] = mapped_column(sa.Boolean, default=False)

    client: Mapped[Client] = relationship(back_populates="contacts")


class StaffUser(IdMixin, Versioned, Base):
    __tablename__ = "staff_user"

    login: Mapped[str] = mapped_column(sa.String(64), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    role: Mapped[StaffRole] = mapped_column(enum_type(StaffRole, "staff_role"))
    password_hash: Mapped[str | None] = mapped_column(sa.String(200))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(sa.Integer, default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    # Set by an administrator's reset: the next login asks for a new password.
    must_change_password: Mapped[bool] = mapped_column(
        sa.Boolean, default=False, server_default=sa.false()
    )
    password_changed_at: Mapped[datetime | None]
