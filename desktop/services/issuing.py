"""Issuing invoices and credit notes: number, frozen identities, due date, hash chain.

Everything happens in the caller's transaction. The chain counter row is locked
first (then the number series), so issuing is serialised across desktops: the
numbers follow each other with no gap and no duplicate, and each document's
``previous_hash`` is the hash of the one issued just before it, whatever the
desktop. A rollback gives every number back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db import audit
from desktop.db.engine import Database
from desktop.db.models import Client, Invoice, InvoiceLine, Provider, SepaMandate
from desktop.domain.addresses import PostalAddress
from desktop.domain.banking import mask_iban
from desktop.domain.clock import paris_today, utc_now
from desktop.domain.enums import AuditAction, InvoiceKind, InvoiceStatus, PaymentMethod
from desktop.domain.invoice_hash import chain_hash
from desktop.domain.invoice_totals import invoice_totals
from desktop.domain.roles import Permission
from desktop.errors import UserError
from desktop.services.access import requires
from desktop.services.counters import series_key, take_values
from desktop.services.invoice_fields import document_payload
from desktop.services.mandates import active_mandates

CHAIN_SERIES = "document-chain"

SELLER_FIELDS = (
    "name", "legal_form", "share_capital", "address_line1", "address_line2", "postcode",
    "city", "country", "siren", "rcs_city", "vat_number", "phone", "email", "website", "iban",
    "bic", "penalty_rate", "recovery_indemnity", "early_payment_discount", "vat_on_debits",
    "invoice_footer", "sepa_creditor_id",
)  # fmt: skip
BUYER_FIELDS = (
    "code", "kind", "name", "legal_form", "siren", "siret", "vat_number", "address_line1",
    "address_line2", "postcode", "city", "country", "billing_email", "chorus_pro_id",
    "chorus_pro_service_code",
)  # fmt: skip


@dataclass(frozen=True)
class _Chain:
    index: int  # the first chain index taken
    previous_hash: str | None
    last_issued_on: date | None


@requires(Permission.BILLING)
def issue_drafts(
    db: Database, invoice_ids: Sequence[int], *, actor: str, today: date | None = None
) -> list[str]:
    """Issue drafts in one transaction of their own; their numbers, in the order given."""
    with db.session_scope() as session:
        return issue_invoices(session, invoice_ids, actor=actor, today=today or paris_today())


def issue_invoices(
    session: Session,
    invoice_ids: Sequence[int],
    *,
    actor: str,
    today: date,
    audit_each: bool = True,
) -> list[str]:
    """Issue drafts inside the caller's transaction; their numbers, in the order given.

    The issue date is ``today``, or the last issued document's date when that is
    later (numbers stay chronological). Totals are recomputed from the lines.
    Each issue is written to the audit trail, unless ``audit_each`` is false (a
    billing run writes one summary row per batch instead).
    """
    if not invoice_ids:
        return []
    if len(set(invoice_ids)) != len(invoice_ids):
        raise UserError("Une même facture est demandée deux fois.")
    drafts = _drafts(session, invoice_ids)
    provider = _provider(session)
    seller = snapshot(provider, SELLER_FIELDS)
    buyers = _buyers(session, {d.client_id for d in drafts})
    mandates = active_mandates(session, {d.client_id for d in drafts if _debited(d)})
    lines = _lines(session, invoice_ids)
    # The chain lock last: other desktops wait for it only while numbers are taken.
    chain = _lock_chain(session, len(invoice_ids))
    day = max(today, chain.last_issued_on) if chain.last_issued_on else today
    numbers = _numbers(session, provider, drafts, day)
    now = utc_now()
    previous = chain.previous_hash
    updates: list[dict[str, Any]] = []
    for offset, draft in enumerate(drafts):
        values = _issued_values(draft, lines.get(draft.id, []), day, provider.payment_days)
        values |= {
            "number": numbers[offset],
            "seller_json": seller,
            "chain_index": chain.index + offset,
            "previous_hash": previous,
            **_buyer_columns(buyers[draft.client_id], _debit_terms(draft, mandates)),
        }
        payload = document_payload({**_row(draft), **values}, lines[draft.id])
        previous = chain_hash(previous, payload)
        updates.append(
            {**values, "hash": previous, "b_id": draft.id, "issued_at": now, "issued_by": actor}
        )
    _write(session, updates)
    if audit_each:
        issued = zip(drafts, updates, strict=True)
        audit.record(session, [_issued_entry(draft, update, actor) for draft, update in issued])
    return numbers


def _issued_entry(draft: sa.Row[Any], update: dict[str, Any], actor: str) -> dict[str, Any]:
    """The audit row of one issue: draft → issued, its number, date and total."""
    return audit.entry(
        "invoice",
        draft.id,
        AuditAction.TRANSITION,
        before={"status": draft.status},
        after={
            "status": update["status"],
            "number": update["number"],
            "issued_on": update["issued_on"],
            "total_incl_vat": update["total_incl_vat"],
            audit.VERSION_KEY: draft.version + 1,
        },
        user=actor,
    )


def _lock_chain(session: Session, count: int) -> _Chain:
    first = take_values(session, CHAIN_SERIES, count)
    last = session.execute(
        sa.select(Invoice.hash, Invoice.issued_on).where(Invoice.chain_index == first - 1)
    ).one_or_none()
    if last is None and first > 1:
        raise UserError(
            f"Chaîne des factures rompue : le document n° {first - 1} est introuvable. "
            "Lancez « backoffice verify »."
        )
    return _Chain(first, last.hash if last else None, last.issued_on if last else None)


def _drafts(session: Session, invoice_ids: Sequence[int]) -> list[sa.Row[Any]]:
    rows = {
        row.id: row
        for row in session.execute(
            sa.select(Invoice.__table__).where(Invoice.id.in_(invoice_ids)).with_for_update()
        )
    }
    for invoice_id in invoice_ids:
        row = rows.get(invoice_id)
        if row is None:
            raise UserError(f"Facture introuvable (n° interne {invoice_id}).")
        if row.status != InvoiceStatus.DRAFT:
            raise UserError(f"La facture {row.number} est déjà émise.")
    return [rows[i] for i in invoice_ids]


def _provider(session: Session) -> Provider:
    provider = session.get(Provider, 1)
    if provider is None:
        raise UserError(
            "Renseignez d'abord l'identité du prestataire (Fichier > Paramètres) : "
            "elle figure sur chaque facture."
        )
    return provider


def snapshot(row: object, names: Sequence[str]) -> str:
    """The named attributes of a row as canonical JSON (decimals as text)."""
    return canonical_snapshot({name: getattr(row, name) for name in names})


def canonical_snapshot(values: Mapping[str, Any]) -> str:
    """Values as canonical JSON (decimals, dates and enums as text)."""
    return json.dumps(
        {k: str(v) if v is not None and not isinstance(v, bool | int | str) else v
         for k, v in values.items()},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )  # fmt: skip


def _buyers(session: Session, client_ids: set[int]) -> dict[int, Client]:
    clients = session.scalars(sa.select(Client).where(Client.id.in_(client_ids)))
    return {client.id: client for client in clients}


def _debited(draft: sa.Row[Any]) -> bool:
    return bool(
        draft.payment_method == PaymentMethod.SEPA_DEBIT and draft.kind == InvoiceKind.INVOICE
    )


def _debit_terms(draft: sa.Row[Any], mandates: Mapping[int, SepaMandate]) -> dict[str, str]:
    """For an invoice collected by direct debit, what its pre-notification names: the
    mandate's reference and the debited account, masked (the invoice can serve as the
    pre-notification, invoicing-fr.md); nothing when no mandate is active yet."""
    mandate = mandates.get(draft.client_id) if _debited(draft) else None
    if mandate is None:
        return {}
    return {"sepa_mandate_rum": mandate.rum, "sepa_debtor_iban": mask_iban(mandate.iban)}


def _buyer_columns(client: Client, debit: dict[str, str]) -> dict[str, Any]:
    buyer = snapshot(client, BUYER_FIELDS)
    if debit:
        buyer = canonical_snapshot({**json.loads(buyer), **debit})
    return {
        "buyer_json": buyer,
        "buyer_name": client.name,
        "buyer_address": printable_address(client),
        "buyer_siren": client.siren,
        "buyer_vat_number": client.vat_number,
    }


def printable_address(party: Client) -> str:
    """The postal address as printed, one line per line."""
    address = PostalAddress(
        party.address_line1, party.address_line2, party.postcode, party.city, party.country
    )
    return "\n".join(address.lines)


def _lines(session: Session, invoice_ids: Sequence[int]) -> dict[int, list[sa.Row[Any]]]:
    lines: dict[int, list[sa.Row[Any]]] = {i: [] for i in invoice_ids}
    for line in session.execute(
        sa.select(InvoiceLine.__table__)
        .where(InvoiceLine.invoice_id.in_(invoice_ids))
        .order_by(InvoiceLine.invoice_id, InvoiceLine.position)
    ):
        lines[line.invoice_id].append(line)
    return lines


def _numbers(
    session: Session, provider: Provider, drafts: Sequence[sa.Row[Any]], day: date
) -> list[str]:
    """Numbers of each kind's series, taken as one block per series."""
    formats = {
        InvoiceKind.INVOICE: provider.invoice_number_format,
        InvoiceKind.CREDIT_NOTE: provider.credit_note_number_format,
    }
    numbers: list[str] = [""] * len(drafts)
    for kind, number_format in formats.items():
        positions = [i for i, d in enumerate(drafts) if d.kind == kind]
        if not positions:
            continue
        first = take_values(session, series_key(kind.value, number_format, day), len(positions))
        for seq, position in enumerate(positions, start=first):
            numbers[position] = number_format.format(year=day.year, seq=seq)
    return numbers


def _issued_values(
    draft: sa.Row[Any], lines: Sequence[sa.Row[Any]], day: date, payment_days: int
) -> dict[str, Any]:
    if not lines:
        raise UserError("Une facture sans ligne ne peut pas être émise.")
    totals = invoice_totals((line.amount_excl_vat, line.vat_rate) for line in lines)
    due = day if draft.kind == InvoiceKind.CREDIT_NOTE else day + timedelta(days=payment_days)
    return {
        "status": InvoiceStatus.ISSUED,
        "issued_on": day,
        "due_on": due,
        "total_excl_vat": totals.excl_vat,
        "total_vat": totals.vat,
        "total_incl_vat": totals.incl_vat,
    }


def _row(draft: sa.Row[Any]) -> dict[str, Any]:
    return dict(draft._mapping)


def _write(session: Session, updates: list[dict[str, Any]]) -> None:
    table = cast(sa.Table, Invoice.__table__)
    columns = [c for c in updates[0] if c != "b_id"]
    stamps = {"version": table.c.version + 1, "updated_at": sa.bindparam("issued_at")}
    statement = sa.update(table).where(table.c.id == sa.bindparam("b_id"))
    session.execute(statement.values({c: sa.bindparam(c) for c in columns} | stamps), updates)


def seller_of(invoice: Invoice | sa.Row[Any]) -> dict[str, Any]:
    """The seller as frozen on an issued document."""
    return dict(json.loads(invoice.seller_json or "{}"))


def buyer_of(invoice: Invoice | sa.Row[Any]) -> dict[str, Any]:
    """The buyer as frozen on an issued document."""
    return dict(json.loads(invoice.buyer_json or "{}"))
