"""Cross-cutting records: the audit trail and the outgoing mail queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.db.models.base import Base, IdMixin
from desktop.db.types import enum_type
from desktop.domain.clock import utc_now
from desktop.domain.enums import AuditAction, OutboxStatus


class AuditLog(IdMixin, Base):
    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_entity_entity_id", "entity", "entity_id"),)

    at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    user: Mapped[str] = mapped_column(sa.String(64), index=True)
    entity: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[int] = mapped_column(sa.Integer)
    action: Mapped[AuditAction] = mapped_column(enum_type(AuditAction, "audit_action"))
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)


class OutboxMessage(IdMixin, Base):
    """An email to send; written in the transaction that decided to send it."""

    __tablename__ = "outbox"

    to: Mapped[str] = mapped_column(sa.String(1000))
    cc: Mapped[str | None] = mapped_column(sa.String(1000))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_type(OutboxStatus, "outbox_status"), index=True, default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    # When the last attempt started (a claim by a desktop, then its outcome).
    last_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    sent_at: Mapped[datetime | None]

    attachments: Mapped[list[OutboxAttachment]] = relationship(cascade="all, delete-orphan")


class OutboxAttachment(IdMixin, Base):
    __tablename__ = "outbox_attachment"

    outbox_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outbox.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(200))
    mime_type: Mapped[str] = mapped_column(sa.String(100))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
