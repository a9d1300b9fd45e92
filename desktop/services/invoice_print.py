"""What a printed invoice or credit note says, read from what was frozen at issue.

An issued document is printed from its own row, its lines and the seller and
buyer snapshots written when it was issued (``seller_json``, ``buyer_json``),
never from today's provider or client, so that a reprint ten years later says
what the original said. The one exception is the provider's logo, which is
not part of the legal content. A credit note names the invoice it corrects.
A draft can be previewed: it is built from the current provider and client
and printed « BROUILLON — sans valeur », without a number.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from desktop.db.engine import Database
from desktop.db.models import Client, Invoice, InvoiceLine, Provider
from desktop.documents.invoice_data import (
    CorrectedInvoice,
    InvoiceDocument,
    InvoiceLineData,
    InvoiceParty,
    InvoiceSeller,
    InvoiceTerms,
)
from desktop.domain.addresses import PostalAddress
from desktop.domain.clock import paris_today
from desktop.domain.enums import ClientKind, InvoiceStatus
from desktop.errors import NotFoundError, UserError
from desktop.services.contract_print import PROVIDER_ID
from desktop.services.issuing import (
    BUYER_FIELDS,
    SELLER_FIELDS,
    buyer_of,
    seller_of,
    snapshot,
)

NO_DISCOUNT = "Pas d'escompte pour paiement anticipé."
DEFAULT_PENALTY_RATE = Decimal("12.00")
DEFAULT_RECOVERY_INDEMNITY = Decimal("40.00")

Logo = tuple[bytes | None, str | None]
CLIENT_KINDS = {kind.value: kind for kind in ClientKind}


# --- use cases --------------------------------------------------------------------------


def invoice_document(db: Database, number: str) -> InvoiceDocument:
    """The issued invoice or credit note ``number`` as printed."""
    wanted = number.strip()
    with db.read_session() as session:
        invoice = session.execute(
            sa.select(Invoice).options(selectinload(Invoice.lines)).where(Invoice.number == wanted)
        ).scalar_one_or_none()
        if invoice is None:
            raise _unknown(session, wanted)
        return _issued_documents(session, [invoice])[0]


def invoice_documents(db: Database, invoice_ids: Sequence[int]) -> list[InvoiceDocument]:
    """Several issued documents (and drafts' previews), in the order given, in a few
    queries: the invoices with their lines, the corrected invoices, the logo."""
    if not invoice_ids:
        return []
    with db.read_session() as session:
        rows = {
            invoice.id: invoice
            for invoice in session.execute(
                sa.select(Invoice)
                .options(selectinload(Invoice.lines))
                .where(Invoice.id.in_(set(invoice_ids)))
            ).scalars()
        }
        missing = [i for i in invoice_ids if i not in rows]
        if missing:
            raise NotFoundError(f"Facture introuvable (n° interne {missing[0]}).")
        issued = [rows[i] for i in invoice_ids if rows[i].status is not InvoiceStatus.DRAFT]
        by_id = dict(zip((i.id for i in issued), _issued_documents(session, issued), strict=True))
        for invoice_id in invoice_ids:
            if invoice_id not in by_id:
                by_id[invoice_id] = _draft_document(session, rows[invoice_id])
        return [by_id[i] for i in invoice_ids]


def draft_document(db: Database, invoice_id: int) -> InvoiceDocument:
    """A draft's preview, from the current provider and client, without a number."""
    with db.read_session() as session:
        invoice = session.execute(
            sa.select(Invoice).options(selectinload(Invoice.lines)).where(Invoice.id == invoice_id)
        ).scalar_one_or_none()
        if invoice is None:
            raise NotFoundError(f"Facture introuvable (n° interne {invoice_id}).")
        if invoice.status is not InvoiceStatus.DRAFT:
            return _issued_documents(session, [invoice])[0]
        return _draft_document(session, invoice)


# --- issued documents -------------------------------------------------------------------


def _unknown(session: Session, wanted: str) -> UserError:
    """Why ``wanted`` names no issued document: a draft's id, or nothing at all."""
    if wanted.isdigit():
        status = session.execute(
            sa.select(Invoice.status).where(Invoice.id == int(wanted))
        ).scalar_one_or_none()
        if status is InvoiceStatus.DRAFT:
            return UserError(
                f"La facture n° interne {wanted} est un brouillon : elle n'a pas encore de "
                "numéro. Émettez-la d'abord, ou imprimez son aperçu."
            )
    return NotFoundError(f"Facture « {wanted} » introuvable.")


def _issued_documents(session: Session, invoices: Sequence[Invoice]) -> list[InvoiceDocument]:
    logo = _logo(session)
    corrected = _corrected(session, {i.corrects_id for i in invoices if i.corrects_id})
    return [
        _document(
            invoice,
            seller_of(invoice),
            buyer_of(invoice),
            logo,
            corrects=corrected.get(invoice.corrects_id) if invoice.corrects_id else None,
        )
        for invoice in invoices
    ]


def _logo(session: Session) -> Logo:
    row = session.execute(
        sa.select(Provider.logo, Provider.logo_mime).where(Provider.id == PROVIDER_ID)
    ).one_or_none()
    return (None, None) if row is None else (row.logo, row.logo_mime)


def _corrected(session: Session, ids: set[int]) -> dict[int, CorrectedInvoice]:
    if not ids:
        return {}
    rows = session.execute(
        sa.select(Invoice.id, Invoice.number, Invoice.issued_on).where(Invoice.id.in_(ids))
    )
    return {
        row.id: CorrectedInvoice(row.number, row.issued_on)
        for row in rows
        if row.number is not None and row.issued_on is not None
    }


def _document(
    invoice: Invoice,
    seller: Mapping[str, Any],
    buyer: Mapping[str, Any],
    logo: Logo,
    *,
    corrects: CorrectedInvoice | None,
) -> InvoiceDocument:
    if not seller or not buyer:
        raise UserError(
            f"La facture {invoice.number} n'a pas d'identités figées : elle ne peut pas "
            "être imprimée."
        )
    return InvoiceDocument(
        kind=invoice.kind,
        number=invoice.number,
        issued_on=invoice.issued_on or paris_today(),
        seller=_seller(seller, logo),
        buyer=_buyer(buyer),
        lines=tuple(_line(line) for line in invoice.lines),
        terms=_terms(seller, buyer, invoice),
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        purchase_order_ref=invoice.purchase_order_ref,
        corrects=corrects,
        reason=invoice.reason,
        footer=seller.get("invoice_footer"),
        currency=invoice.currency,
    )


def _address(values: Mapping[str, Any]) -> PostalAddress:
    return PostalAddress(
        values.get("address_line1"),
        values.get("address_line2"),
        values.get("postcode"),
        values.get("city"),
        values.get("country") or "FR",
    )


def _seller(values: Mapping[str, Any], logo: Logo) -> InvoiceSeller:
    return InvoiceSeller(
        name=values["name"],
        legal_form=values["legal_form"],
        share_capital=Decimal(values["share_capital"]),
        address=_address(values),
        siren=values["siren"],
        rcs_city=values["rcs_city"],
        vat_number=values["vat_number"],
        phone=values.get("phone"),
        email=values.get("email"),
        website=values.get("website"),
        iban=values.get("iban"),
        bic=values.get("bic"),
        logo=logo[0],
        logo_mime=logo[1],
    )


def _buyer(values: Mapping[str, Any]) -> InvoiceParty:
    return InvoiceParty(
        code=values["code"],
        kind=CLIENT_KINDS[values["kind"]],
        name=values["name"],
        address=_address(values),
        legal_form=values.get("legal_form"),
        siren=values.get("siren"),
        siret=values.get("siret"),
        vat_number=values.get("vat_number"),
        billing_email=values.get("billing_email"),
        chorus_pro_id=values.get("chorus_pro_id"),
        chorus_pro_service_code=values.get("chorus_pro_service_code"),
    )


def _terms(seller: Mapping[str, Any], buyer: Mapping[str, Any], invoice: Invoice) -> InvoiceTerms:
    penalty = seller.get("penalty_rate")
    indemnity = seller.get("recovery_indemnity")
    return InvoiceTerms(
        due_on=invoice.due_on,
        payment_method=invoice.payment_method,
        penalty_rate=Decimal(penalty) if penalty is not None else DEFAULT_PENALTY_RATE,
        recovery_indemnity=(
            Decimal(indemnity) if indemnity is not None else DEFAULT_RECOVERY_INDEMNITY
        ),
        early_payment_discount=seller.get("early_payment_discount") or NO_DISCOUNT,
        vat_on_debits=bool(seller.get("vat_on_debits")),
        creditor_id=seller.get("sepa_creditor_id"),
        mandate_rum=buyer.get("sepa_mandate_rum"),
        debited_account=buyer.get("sepa_debtor_iban"),
    )


def _line(line: InvoiceLine) -> InvoiceLineData:
    return InvoiceLineData(
        position=line.position,
        description=line.description,
        quantity=line.quantity,
        unit_price=line.unit_price_excl_vat,
        vat_rate=line.vat_rate,
        amount=line.amount_excl_vat,
        period_start=line.period_start,
        period_end=line.period_end,
    )


# --- drafts -----------------------------------------------------------------------------


def _draft_document(session: Session, invoice: Invoice) -> InvoiceDocument:
    """A draft as it would print today, from the current provider and client."""
    provider = session.get(Provider, PROVIDER_ID)
    if provider is None:
        raise UserError(
            "L'identité du prestataire n'est pas encore renseignée "
            "(Fichier → Paramètres…) : aucune facture ne peut être imprimée."
        )
    client = session.get(Client, invoice.client_id)
    if client is None:
        raise NotFoundError(f"Client introuvable (n° interne {invoice.client_id}).")
    corrected = _corrected(session, {invoice.corrects_id} if invoice.corrects_id else set())
    document = _document(
        invoice,
        json.loads(snapshot(provider, SELLER_FIELDS)),
        json.loads(snapshot(client, BUYER_FIELDS)),
        (provider.logo, provider.logo_mime),
        corrects=corrected.get(invoice.corrects_id) if invoice.corrects_id else None,
    )
    today = paris_today()
    terms = replace(
        document.terms,
        due_on=invoice.due_on or today + timedelta(days=provider.payment_days),
        payment_method=invoice.payment_method or client.payment_method,
    )
    return replace(document, number=None, issued_on=today, terms=terms)
