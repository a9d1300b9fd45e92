"""Service quality: failure notifications and SLA credits (O365 §3)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from desktop.db.models.base import Base, IdMixin, Versioned
from desktop.db.types import ExactDecimal, Money, Rate, enum_type
from desktop.domain.enums import ExcusableCategory, IncidentChannel, IncidentStatus


class Incident(IdMixin, Versioned, Base):
    """A failure notification; its number is given to the client."""

    __tablename__ = "incident"
    __table_args__ = (
        sa.CheckConstraint(
            "restored_at IS NULL OR restored_at >= received_at", name="restored_after_received"
        ),
    )

    number: Mapped[str] = mapped_column(sa.String(35), unique=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("client.id"), index=True)
    product_line_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("product_line.id"), index=True
    )
    contract_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contract.id"), index=True)
    domain_id: Mapped[int | None] = mapped_column(sa.ForeignKey("domain.id"), index=True)
    channel: Mapped[IncidentChannel] = mapped_column(enum_type(IncidentChannel, "incident_channel"))
    received_at: Mapped[datetime] = mapped_column(index=True)
    acknowledged_at: Mapped[datetime | None]
    restored_at: Mapped[datetime | None]
    description: Mapped[str] = mapped_column(sa.Text)
    cause: Mapped[str | None] = mapped_column(sa.Text)
    excusable_category: Mapped[ExcusableCategory | None] = mapped_column(
        enum_type(ExcusableCategory, "excusable_category")
    )
    equipment_replacement: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    equipment_found_at: Mapped[datetime | None]
    status: Mapped[IncidentStatus] = mapped_column(
        enum_type(IncidentStatus, "incident_status"), index=True, default=IncidentStatus.OPEN
    )


class IncidentMailbox(Base):
    """The mailboxes a failure notification names."""

    __tablename__ = "incident_mailbox"

    incident_id: Mapped[int] = mapped_column(
        sa.ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True
    )
    mailbox_id: Mapped[int] = mapped_column(sa.ForeignKey("mailbox.id"), primary_key=True)


class SlaCredit(IdMixin, Versioned, Base):
    """A service credit for a month whose availability missed the objective."""

    __tablename__ = "sla_credit"
    __table_args__ = (sa.UniqueConstraint("client_id", "product_line_id", "month"),)

    client_id: Mapped[int] = mapped_column(sa.ForeignKey("client.id"), index=True)
    product_line_id: Mapped[int] = mapped_column(sa.ForeignKey("product_line.id"))
    # First day of the month concerned.
    month: Mapped[date] = mapped_column(sa.Date, index=True)
    # A fraction (0.985432 = 98.5432 %).
    availability: Mapped[Decimal] = mapped_column(ExactDecimal(9, 6))
    rate: Mapped[Decimal] = mapped_column(Rate())
    base: Mapped[Decimal] = mapped_column(Money())
    amount: Mapped[Decimal] = mapped_column(Money())
    requested_at: Mapped[datetime | None]
    credit_note_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invoice.id"))
