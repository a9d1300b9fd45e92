"""The service delivered: domains, contracts, mailboxes, options, and their logs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.db.models.base import Audited, Base, IdMixin, Versioned
from desktop.db.models.catalogue import Plan, ProductLine
from desktop.db.models.parties import Client
from desktop.db.types import Quantity, enum_type
from desktop.domain.clock import utc_now
from desktop.domain.enums import (
    AccessCodeAction,
    ContractStatus,
    DnsStatus,
    LifecycleKind,
    MailboxKind,
    MailboxStatus,
    PaymentMethod,
    RestrictionKind,
    RestrictionReason,
)


class Domain(IdMixin, Versioned, Base):
    __tablename__ = "domain"
    __table_args__ = (
        # Target of the mailbox's (domain, client) foreign key.
        sa.UniqueConstraint("id", "client_id"),
        # One primary domain per client (HE §5).
        sa.Index(
            "uq_domain_primary_per_client",
            "client_id",
            unique=True,
            sqlite_where=sa.text("is_primary"),
            postgresql_where=sa.text("is_primary"),
        ),
    )

    client_id: Mapped[int] = mapped_column(sa.ForeignKey("client.id"), index=True)
    # Lower-case IDNA A-label (café.fr → xn--caf-dma.fr).
    name: Mapped[str] = mapped_column(sa.String(253), unique=True)
    is_primary: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    admin_certified_at: Mapped[datetime | None]
    admin_certified_by: Mapped[str | None] = mapped_column(sa.String(64))
    antispam_enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    dns_status: Mapped[DnsStatus] = mapped_column(
        enum_type(DnsStatus, "dns_status"), default=DnsStatus.UNKNOWN, index=True
    )

    client: Mapped[Client] = relationship()


class Contract(IdMixin, Versioned, Base):
    __tablename__ = "contract"
    __table_args__ = (
        # Target of the mailbox's (contract, client, product line) foreign key.
        sa.UniqueConstraint("id", "client_id", "product_line_id"),
        sa.CheckConstraint("initial_months > 0", name="initial_months_positive"),
        sa.CheckConstraint("renewal_months > 0", name="renewal_months_positive"),
    )

    client_id: Mapped[int] = mapped_column(sa.ForeignKey("client.id"), index=True)
    product_line_id: Mapped[int] = mapped_column(sa.ForeignKey("product_line.id"), index=True)
    number: Mapped[str] = mapped_column(sa.String(35), unique=True)
    quote_id: Mapped[int | None] = mapped_column(sa.ForeignKey("quote.id"), index=True)
    ordered_on: Mapped[date | None] = mapped_column(sa.Date)
    signed_on: Mapped[date | None] = mapped_column(sa.Date)
    service_start: Mapped[date | None] = mapped_column(sa.Date, index=True)
    initial_months: Mapped[int] = mapped_column(sa.Integer)
    renewal_months: Mapped[int] = mapped_column(sa.Integer)
    payment_method: Mapped[PaymentMethod | None] = mapped_column(
        enum_type(PaymentMethod, "contract_payment_method")
    )
    status: Mapped[ContractStatus] = mapped_column(
        enum_type(ContractStatus, "contract_status"), index=True, default=ContractStatus.PENDING
    )
    # Consumers waive their withdrawal right as the service starts at once (HE §10).
    consumer_waiver_on: Mapped[date | None] = mapped_column(sa.Date)
    # The whole contract not renewed: when the client asked, and its last day.
    termination_requested_on: Mapped[date | None] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    terminated_on: Mapped[date | None] = mapped_column(sa.Date)
    # The last anniversary the renewal run has handled (it never handles one twice).
    renewed_through: Mapped[date | None] = mapped_column(sa.Date)
    # The scanned signed copy (PDF or image), in the database so every desktop sees it.
    signed_scan: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    signed_scan_name: Mapped[str | None] = mapped_column(sa.String(200))
    signed_scan_mime: Mapped[str | None] = mapped_column(sa.String(100))
    notes: Mapped[str | None] = mapped_column(sa.Text)

    client: Mapped[Client] = relationship()
    product_line: Mapped[ProductLine] = relationship()


class Mailbox(IdMixin, Versioned, Base):
    """An account: one end user's mailbox, on one licence (HE §3).

    The composite foreign keys make the database itself refuse a mailbox
    whose contract, domain and plan are not of one client and product line.
    """

    __tablename__ = "mailbox"
    __table_args__ = (
        sa.UniqueConstraint("domain_id", "local_part"),
        sa.ForeignKeyConstraint(
            ["contract_id", "client_id", "product_line_id"],
            ["contract.id", "contract.client_id", "contract.product_line_id"],
            name="fk_mailbox_contract_same_client_line",
        ),
        sa.ForeignKeyConstraint(
            ["domain_id", "client_id"],
            ["domain.id", "domain.client_id"],
            name="fk_mailbox_domain_same_client",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id", "product_line_id"],
            ["plan.id", "plan.product_line_id"],
            name="fk_mailbox_plan_same_line",
        ),
        sa.CheckConstraint("quota_gb > 0", name="quota_positive"),
    )

    client_id: Mapped[int] = mapped_column(sa.ForeignKey("client.id"), index=True)
    product_line_id: Mapped[int] = mapped_column(sa.ForeignKey("product_line.id"), index=True)
    contract_id: Mapped[int] = mapped_column(sa.Integer, index=True)
    domain_id: Mapped[int] = mapped_column(sa.Integer, index=True)
    plan_id: Mapped[int] = mapped_column(sa.Integer, index=True)
    local_part: Mapped[str] = mapped_column(sa.String(64))
    # local_part@domain, kept for search and sort; derived by the service.
    address: Mapped[str] = mapped_column(sa.String(320), index=True)
    display_name: Mapped[str | None] = mapped_column(sa.String(200), index=True)
    kind: Mapped[MailboxKind] = mapped_column(enum_type(MailboxKind, "mailbox_kind"), index=True)
    quota_gb: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[MailboxStatus] = mapped_column(
        enum_type(MailboxStatus, "mailbox_status"), index=True, default=MailboxStatus.REQUESTED
    )
    requested_on: Mapped[date | None] = mapped_column(sa.Date)
    activated_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    non_renewal_requested_on: Mapped[date | None] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    # HE §9.3: a shortened billing period, granted exceptionally (no acquired right).
    billing_ends_on_override: Mapped[date | None] = mapped_column(sa.Date)
    terminated_on: Mapped[date | None] = mapped_column(sa.Date)
    deleted_on: Mapped[date | None] = mapped_column(sa.Date)
    # A generated password is shown once; only when and by whom is kept.
    password_issued_at: Mapped[datetime | None]
    password_issued_by: Mapped[str | None] = mapped_column(sa.String(64))
    anonymised_at: Mapped[datetime | None]

    client: Mapped[Client] = relationship(viewonly=True)
    contract: Mapped[Contract] = relationship(viewonly=True)
    domain: Mapped[Domain] = relationship(viewonly=True)
    plan: Mapped[Plan] = relationship(viewonly=True)


class SubscribedOption(IdMixin, Versioned, Base):
    """An option (or per-act service) taken on one mailbox or a whole contract."""

    __tablename__ = "subscribed_option"
    __table_args__ = (
        sa.CheckConstraint(
            "(mailbox_id IS NULL) <> (contract_id IS NULL)", name="mailbox_xor_contract"
        ),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="valid_period"),
    )

    mailbox_id: Mapped[int | None] = mapped_column(sa.ForeignKey("mailbox.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contract.id"), index=True)
    option_id: Mapped[int] = mapped_column(sa.ForeignKey("catalogue_option.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal("1"))
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)


class LifecycleEvent(IdMixin, Base):
    """A recorded change of a mailbox, contract, domain or client: who, when, why."""

    __tablename__ = "lifecycle_event"
    __table_args__ = (
        sa.CheckConstraint(
            "mailbox_id IS NOT NULL OR contract_id IS NOT NULL "
            "OR domain_id IS NOT NULL OR client_id IS NOT NULL",
            name="has_subject",
        ),
    )

    kind: Mapped[LifecycleKind] = mapped_column(enum_type(LifecycleKind, "lifecycle_kind"))
    client_id: Mapped[int | None] = mapped_column(sa.ForeignKey("client.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contract.id"), index=True)
    domain_id: Mapped[int | None] = mapped_column(sa.ForeignKey("domain.id"), index=True)
    mailbox_id: Mapped[int | None] = mapped_column(sa.ForeignKey("mailbox.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(sa.String(40))
    to_status: Mapped[str | None] = mapped_column(sa.String(40))
    at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    by: Mapped[str] = mapped_column(sa.String(64))
    reason: Mapped[str | None] = mapped_column(sa.Text)


class AccessCodeEvent(IdMixin, Base):
    """Issue, deactivation or replacement of an access code; never the code."""

    __tablename__ = "access_code_event"

    client_id: Mapped[int] = mapped_column(sa.ForeignKey("client.id"), index=True)
    mailbox_id: Mapped[int | None] = mapped_column(sa.ForeignKey("mailbox.id"), index=True)
    action: Mapped[AccessCodeAction] = mapped_column(
        enum_type(AccessCodeAction, "access_code_action")
    )
    at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    by: Mapped[str] = mapped_column(sa.String(64))
    reason: Mapped[str | None] = mapped_column(sa.Text)


class ClientRestriction(IdMixin, Audited, Base):
    """A limit or a suspension for cause (HE §7), separate from dunning."""

    __tablename__ = "client_restriction"
    __table_args__ = (
        sa.CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="valid_period"),
    )

    client_id: Mapped[int] = mapped_column(sa.ForeignKey("client.id"), index=True)
    kind: Mapped[RestrictionKind] = mapped_column(enum_type(RestrictionKind, "restriction_kind"))
    reason: Mapped[RestrictionReason] = mapped_column(
        enum_type(RestrictionReason, "restriction_reason")
    )
    details: Mapped[str | None] = mapped_column(sa.Text)
    started_at: Mapped[datetime] = mapped_column(default=utc_now)
    ended_at: Mapped[datetime | None]
    by: Mapped[str] = mapped_column(sa.String(64))
