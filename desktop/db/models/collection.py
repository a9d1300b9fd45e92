"""Getting paid: SEPA mandates, direct-debit batches, dunning steps."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from desktop.db.models.base import Base, IdMixin, Versioned
from desktop.db.types import Money, enum_type
from desktop.domain.clock import utc_now
from desktop.domain.enums import DebitStatus, DunningStage, MandateStatus, SequenceType


class SepaMandate(IdMixin, Versioned, Base):
    __tablename__ = "sepa_mandate"

    client_id: Mapped[int] = mapped_column(sa.ForeignKey("client.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contract.id"), index=True)
    rum: Mapped[str] = mapped_column(sa.String(35), unique=True)
    debtor_name: Mapped[str] = mapped_column(sa.String(140))
    debtor_address: Mapped[str | None] = mapped_column(sa.Text)
    iban: Mapped[str] = mapped_column(sa.String(34))
    bic: Mapped[str | None] = mapped_column(sa.String(11))
    signed_on: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[MandateStatus] = mapped_column(
        enum_type(MandateStatus, "mandate_status"), index=True, default=MandateStatus.ACTIVE
    )
    # FRST until a first collection went through, then RCUR.
    next_sequence_type: Mapped[SequenceType] = mapped_column(
        enum_type(SequenceType, "mandate_sequence_type"), default=SequenceType.FRST
    )
    last_collection_on: Mapped[date | None] = mapped_column(sa.Date)
    revoked_on: Mapped[date | None] = mapped_column(sa.Date)


class SepaBatch(IdMixin, Base):
    """One pain.008 file sent to the bank."""

    __tablename__ = "sepa_batch"

    message_id: Mapped[str] = mapped_column(sa.String(35), unique=True)
    collection_date: Mapped[date] = mapped_column(sa.Date, index=True)
    file_name: Mapped[str] = mapped_column(sa.String(200))
    xml: Mapped[str] = mapped_column(sa.Text)
    debit_count: Mapped[int] = mapped_column(sa.Integer)
    total: Mapped[Decimal] = mapped_column(Money())
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    created_by: Mapped[str] = mapped_column(sa.String(64))


class SepaDebit(IdMixin, Versioned, Base):
    __tablename__ = "sepa_debit"
    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)

    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("sepa_batch.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoice.id"), index=True)
    mandate_id: Mapped[int] = mapped_column(sa.ForeignKey("sepa_mandate.id"), index=True)
    end_to_end_id: Mapped[str] = mapped_column(sa.String(35), unique=True)
    sequence_type: Mapped[SequenceType] = mapped_column(
        enum_type(SequenceType, "debit_sequence_type")
    )
    amount: Mapped[Decimal] = mapped_column(Money())
    status: Mapped[DebitStatus] = mapped_column(
        enum_type(DebitStatus, "debit_status"), index=True, default=DebitStatus.PENDING
    )
    rejected_at: Mapped[datetime | None]
    reject_reason: Mapped[str | None] = mapped_column(sa.String(200))


class DunningEvent(IdMixin, Base):
    """One step of the late-payment sequence (HE §9.5), kept as evidence."""

    __tablename__ = "dunning_event"

    client_id: Mapped[int] = mapped_column(sa.ForeignKey("client.id"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invoice.id"), index=True)
    stage: Mapped[DunningStage] = mapped_column(enum_type(DunningStage, "dunning_stage"))
    due_at: Mapped[datetime] = mapped_column(index=True)
    done_at: Mapped[datetime | None] = mapped_column(index=True)
    by: Mapped[str | None] = mapped_column(sa.String(64))
    outbox_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outbox.id"))
    notes: Mapped[str | None] = mapped_column(sa.Text)
