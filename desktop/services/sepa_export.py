"""Direct debits: the invoices due, the pain.008 file, then collections and rejections.

``export_pain008`` builds the file with ``sepaxml`` (validated against the
official XSD it ships) and records the batch, its debits and the mandates'
next sequence type in one transaction: when anything fails, nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sepaxml import SepaDD
from sepaxml.validation import ValidationError as XsdError
from sqlalchemy.orm import Session

from desktop.db.engine import Database
from desktop.db.models import (
    Client,
    Invoice,
    InvoiceLine,
    Payment,
    Provider,
    SepaBatch,
    SepaDebit,
    SepaMandate,
)
from desktop.documents.french import french_money
from desktop.domain.clock import PARIS, paris_today
from desktop.domain.enums import (
    DebitStatus,
    InvoiceKind,
    InvoiceStatus,
    MandateStatus,
    PaymentMethod,
    SequenceType,
)
from desktop.domain.errors import ValidationError
from desktop.domain.roles import Permission
from desktop.domain.sepa import (
    earliest_collection_date,
    end_to_end_id,
    mandate_lapsed,
    message_id,
    sequence_type,
)
from desktop.errors import NotFoundError, UserError
from desktop.services.access import requires
from desktop.services.counters import next_value
from desktop.services.fields import clean
from desktop.services.mandates import active_mandate
from desktop.services.payments import invoice_balance, settle

VERSIONS = ("pain.008.001.02", "pain.008.001.08")
BATCH_SERIES = "sepa-batch"
DEBIT_SERIES = "sepa-debit"
REJECT_REASON_MAX = 200
_IN_PROGRESS = (DebitStatus.PENDING, DebitStatus.SENT)
_UNPAID = (InvoiceStatus.ISSUED, InvoiceStatus.PARTLY_PAID)

NO_MANDATE = "Aucun mandat SEPA actif pour ce client : faites signer un mandat."
LAPSED_MANDATE = (
    "Le mandat {rum} est caduc (inutilisé depuis 36 mois) : faites signer un nouveau mandat."
)


@dataclass(frozen=True)
class DueDebit:
    """An invoice to collect by direct debit; ``skip_reason`` when it cannot be."""

    invoice_id: int
    invoice_number: str
    client_id: int
    client_name: str
    amount: Decimal
    due_on: date | None
    mandate_id: int | None
    rum: str | None
    sequence_type: SequenceType | None
    skip_reason: str | None = None

    @property
    def ready(self) -> bool:
        return self.skip_reason is None


@dataclass(frozen=True)
class SepaExport:
    xml: bytes
    batch_id: int
    message_id: str
    debit_count: int
    total: Decimal
    skipped: list[tuple[str, str]]  # (invoice number, French reason)


@dataclass(frozen=True)
class RejectionResult:
    invoice_number: str
    invoice_status: InvoiceStatus
    balance: Decimal


# --- what is due ------------------------------------------------------------------------


def due_debits(db: Database, collection_date: date) -> list[DueDebit]:
    """The issued invoices to collect by direct debit on ``collection_date``: those
    ready first (by client, then invoice number), then those skipped, each with why."""
    with db.read_session() as session:
        return _due(session, collection_date)


def _due(session: Session, collection_date: date) -> list[DueDebit]:
    in_progress = sa.select(SepaDebit.invoice_id).where(SepaDebit.status.in_(_IN_PROGRESS))
    rows = session.execute(
        sa.select(Invoice, Client.name)
        .join(Client, Client.id == Invoice.client_id)
        .where(
            Invoice.kind == InvoiceKind.INVOICE,
            Invoice.status.in_(_UNPAID),
            Invoice.payment_method == PaymentMethod.SEPA_DEBIT,
            Invoice.id.not_in(in_progress),
        )
        .order_by(Client.name, Client.id, Invoice.number)
    ).all()
    ready: list[DueDebit] = []
    skipped: list[DueDebit] = []
    for invoice, client_name in rows:
        balance = invoice_balance(session, invoice.id)
        if balance <= 0:
            continue
        mandate = active_mandate(session, invoice.client_id, _contract_of(session, invoice.id))
        reason = None
        if mandate is None:
            reason = NO_MANDATE
        elif mandate_lapsed(mandate.last_collection_on, mandate.signed_on, collection_date):
            reason = LAPSED_MANDATE.format(rum=mandate.rum)
        due = DueDebit(
            invoice_id=invoice.id,
            invoice_number=invoice.number or "",
            client_id=invoice.client_id,
            client_name=client_name,
            amount=balance,
            due_on=invoice.due_on,
            mandate_id=None if mandate is None else mandate.id,
            rum=None if mandate is None else mandate.rum,
            sequence_type=None if mandate is None else mandate.next_sequence_type,
            skip_reason=reason,
        )
        (ready if reason is None else skipped).append(due)
    return ready + skipped


def _contract_of(session: Session, invoice_id: int) -> int | None:
    """The contract an invoice bills, when its lines name exactly one."""
    contracts = session.scalars(
        sa.select(InvoiceLine.contract_id)
        .where(InvoiceLine.invoice_id == invoice_id, InvoiceLine.contract_id.is_not(None))
        .distinct()
    ).all()
    return contracts[0] if len(contracts) == 1 else None


# --- the pain.008 file ------------------------------------------------------------------


def normalize_version(version: str) -> str:
    """``02``, ``08`` or the full name → ``pain.008.001.0x``."""
    text = version.strip()
    full = text if text.startswith("pain.") else f"pain.008.001.{text.zfill(2)}"
    if full not in VERSIONS:
        raise ValidationError(
            {"version": f"Version « {version} » inconnue : 02 (pain.008.001.02) ou 08."}
        )
    return full


class _Pain008(SepaDD):  # type: ignore[misc]
    """sepaxml's direct-debit file with our own message id (its own is random)."""

    def __init__(self, config: dict[str, Any], schema: str, msg_id: str) -> None:
        self._wanted_msg_id = msg_id
        super().__init__(config, schema=schema)

    def _create_header(self) -> None:
        self.msg_id = self._wanted_msg_id
        super()._create_header()


@requires(Permission.SEPA)
def export_pain008(
    db: Database,
    *,
    collection_date: date,
    actor: str,
    version: str = "pain.008.001.02",
    today: date | None = None,
    deliver: Callable[[bytes], object] | None = None,
) -> SepaExport:
    """Build the pain.008 file of every due direct debit and record it as sent.

    Refuses a collection date earlier than the 14-day pre-notification allows.
    The file is validated against the XSD before anything is recorded; the
    batch, its debits (status sent) and each mandate's next sequence type
    (RCUR) and last collection date are written in one transaction.
    ``deliver`` (e.g. writing the file) runs inside that transaction, last: when
    it fails, nothing is recorded.
    """
    schema = normalize_version(version)
    today = paris_today() if today is None else today
    earliest = earliest_collection_date(today)
    if collection_date < earliest:
        raise ValidationError(
            {
                "collection_date": (
                    "Le débiteur doit être prévenu 14 jours avant le prélèvement : "
                    f"choisissez une date d'échéance au {earliest:%d/%m/%Y} ou après."
                )
            }
        )
    with db.session_scope() as session:
        config = _creditor(session, schema)
        # The batch counter first: its row lock makes a second desktop exporting at
        # the same time wait, then see this batch's debits (no invoice debited twice).
        msg_id = message_id(today, next_value(session, BATCH_SERIES))
        due = _due(session, collection_date)
        ready = [d for d in due if d.ready]
        skipped = [(d.invoice_number, d.skip_reason or "") for d in due if not d.ready]
        if not ready:
            raise UserError(
                "Aucune facture à prélever"
                + (f" ({len(skipped)} sans mandat utilisable)." if skipped else ".")
            )
        mandates = {
            m.id: m
            for m in session.scalars(
                sa.select(SepaMandate)
                .where(SepaMandate.id.in_({d.mandate_id for d in ready}))
                .with_for_update()
            )
        }
        sepa = _Pain008(config, schema, msg_id)
        debits: list[SepaDebit] = []
        for item in ready:
            assert item.mandate_id is not None
            mandate = mandates[item.mandate_id]
            debit = SepaDebit(
                invoice_id=item.invoice_id,
                mandate_id=mandate.id,
                end_to_end_id=end_to_end_id(item.invoice_number, next_value(session, DEBIT_SERIES)),
                sequence_type=mandate.next_sequence_type,
                amount=item.amount,
                status=DebitStatus.SENT,
                updated_by=actor,
            )
            sepa.add_payment(_payment(item, mandate, debit, collection_date))
            debits.append(debit)
        try:
            xml: bytes = sepa.export(validate=True)
        except XsdError as exc:
            raise UserError(
                "Le fichier de prélèvements ne respecte pas le schéma XSD "
                f"{schema} : rien n'a été enregistré ({_first_line(exc.__cause__ or exc)})."
            ) from exc
        total = sum((d.amount for d in debits), Decimal("0.00"))
        batch = SepaBatch(
            message_id=msg_id,
            collection_date=collection_date,
            file_name=f"{msg_id}.xml",
            xml=xml.decode("utf-8"),
            debit_count=len(debits),
            total=total,
            created_by=actor,
        )
        session.add(batch)
        session.flush()
        for debit in debits:
            debit.batch_id = batch.id
            session.add(debit)
        for mandate in mandates.values():
            mandate.next_sequence_type = sequence_type(collected_before=True)
            mandate.last_collection_on = collection_date
            mandate.updated_by = actor
        session.flush()
        if deliver is not None:
            deliver(xml)
        return SepaExport(xml, batch.id, msg_id, len(debits), total, skipped)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _creditor(session: Session, schema: str) -> dict[str, Any]:
    provider = session.execute(sa.select(Provider)).scalar_one_or_none()
    missing = []
    if provider is None or not provider.sepa_creditor_id:
        missing.append("l'identifiant créancier SEPA (ICS)")
    if provider is None or not provider.iban:
        missing.append("l'IBAN")
    if schema == "pain.008.001.02" and (provider is None or not provider.bic):
        missing.append("le BIC (obligatoire en pain.008.001.02 ; facultatif en .08)")
    if missing or provider is None:
        raise UserError("Renseignez dans les paramètres du prestataire " + ", ".join(missing) + ".")
    config: dict[str, Any] = {
        "name": provider.name,
        "IBAN": provider.iban,
        "batch": True,
        "creditor_id": provider.sepa_creditor_id,
        "currency": "EUR",
    }
    if provider.bic:
        config["BIC"] = provider.bic
    return config


def _payment(
    item: DueDebit, mandate: SepaMandate, debit: SepaDebit, collection_date: date
) -> dict[str, Any]:
    payment: dict[str, Any] = {
        "name": mandate.debtor_name,
        "IBAN": mandate.iban,
        "amount": int(item.amount * 100),
        "type": debit.sequence_type.value,
        "collection_date": collection_date,
        "mandate_id": mandate.rum,
        "mandate_date": mandate.signed_on,
        "description": f"Facture {item.invoice_number}",
        "endtoend_id": debit.end_to_end_id,
    }
    if mandate.bic:
        payment["BIC"] = mandate.bic
    return payment


# --- after the file: collected or rejected ----------------------------------------------


@requires(Permission.SEPA)
def mark_collected(db: Database, batch_id: int, *, collected_on: date, actor: str) -> int:
    """The bank collected the batch: a payment (direct debit, reference = end-to-end
    id) is recorded for each debit still sent; how many."""
    with db.session_scope() as session:
        batch = session.get(SepaBatch, batch_id)
        if batch is None:
            raise NotFoundError(f"Remise de prélèvements introuvable (n° interne {batch_id}).")
        if collected_on > paris_today():
            raise ValidationError({"collected_on": "La date d'encaissement est dans le futur."})
        debits = session.scalars(
            sa.select(SepaDebit)
            .where(SepaDebit.batch_id == batch_id, SepaDebit.status == DebitStatus.SENT)
            .order_by(SepaDebit.id)
            .with_for_update()
        ).all()
        for debit in debits:
            invoice = session.get(Invoice, debit.invoice_id, with_for_update=True)
            assert invoice is not None
            balance = invoice_balance(session, invoice.id)
            if debit.amount > balance:
                raise UserError(
                    f"{invoice.number} : le prélèvement ({french_money(debit.amount)}) dépasse "
                    f"le solde dû ({french_money(balance)}) ; rien n'a été enregistré."
                )
            session.add(
                Payment(
                    invoice_id=invoice.id,
                    paid_on=collected_on,
                    amount=debit.amount,
                    method=PaymentMethod.SEPA_DEBIT,
                    reference=debit.end_to_end_id,
                    recorded_by=actor,
                    updated_by=actor,
                )
            )
            session.flush()
            settle(session, invoice, actor)
            debit.status = DebitStatus.COLLECTED
            debit.updated_by = actor
        return len(debits)


@requires(Permission.SEPA)
def record_rejection(
    db: Database, debit_id: int, *, rejected_on: date, reason: str, actor: str
) -> RejectionResult:
    """The bank rejected a debit: the invoice is unpaid again (its payment, if one
    was recorded, is marked rejected) and a mandate's first collection is retried
    as FRST."""
    text = clean(reason)
    if text is None:
        raise ValidationError({"reason": "Indiquez le motif du rejet (code banque ou libellé)."})
    if len(text) > REJECT_REASON_MAX:
        raise ValidationError({"reason": f"{REJECT_REASON_MAX} caractères au maximum."})
    if rejected_on > paris_today():
        raise ValidationError({"rejected_on": "La date du rejet est dans le futur."})
    with db.session_scope() as session:
        debit = session.get(SepaDebit, debit_id, with_for_update=True)
        if debit is None:
            raise NotFoundError(f"Prélèvement introuvable (n° interne {debit_id}).")
        if debit.status not in (DebitStatus.SENT, DebitStatus.COLLECTED):
            raise UserError(f"Le prélèvement {debit.end_to_end_id} est {debit.status.label}.")
        return reject_debit(session, debit, rejected_on=rejected_on, reason=text, actor=actor)


def reject_debit(
    session: Session, debit: SepaDebit, *, rejected_on: date, reason: str, actor: str
) -> RejectionResult:
    """Record the rejection of a sent or collected ``debit`` (locked by the caller)."""
    rejected_at = datetime.combine(rejected_on, time(12), PARIS)
    debit.status = DebitStatus.REJECTED
    debit.rejected_at = rejected_at
    debit.reject_reason = reason
    debit.updated_by = actor
    for payment in session.scalars(
        sa.select(Payment).where(
            Payment.invoice_id == debit.invoice_id,
            Payment.method == PaymentMethod.SEPA_DEBIT,
            Payment.reference == debit.end_to_end_id,
            Payment.rejected_at.is_(None),
        )
    ):
        payment.rejected_at = rejected_at
        payment.rejection_reason = reason
        payment.updated_by = actor
    if debit.sequence_type is SequenceType.FRST:
        mandate = session.get(SepaMandate, debit.mandate_id, with_for_update=True)
        assert mandate is not None
        if mandate.status is MandateStatus.ACTIVE:
            mandate.next_sequence_type = SequenceType.FRST
            mandate.last_collection_on = None
            mandate.updated_by = actor
    session.flush()
    invoice = session.get(Invoice, debit.invoice_id, with_for_update=True)
    assert invoice is not None
    status = settle(session, invoice, actor)
    return RejectionResult(invoice.number or "", status, invoice_balance(session, invoice.id))


def batch_xml(db: Database, batch_id: int) -> bytes:
    """The file of a batch, as it was sent."""
    with db.read_session() as session:
        xml = session.execute(
            sa.select(SepaBatch.xml).where(SepaBatch.id == batch_id)
        ).scalar_one_or_none()
    if xml is None:
        raise NotFoundError(f"Remise de prélèvements introuvable (n° interne {batch_id}).")
    return xml.encode("utf-8")


def sepa_export_command_text(result: SepaExport, path: str) -> list[str]:
    """What ``backoffice sepa export`` prints once the file is written (French)."""
    lines = [
        f"{result.debit_count} prélèvement(s), {french_money(result.total)}, "
        f"remise {result.message_id} écrite dans {path}."
    ]
    lines += [f"Non prélevée : {number} — {reason}" for number, reason in result.skipped]
    return lines
