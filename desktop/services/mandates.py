"""SEPA direct-debit mandates: created with a unique reference (RUM), revoked, lapsed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db.engine import Database
from desktop.db.models import Client, Contract, SepaMandate
from desktop.domain.banking import normalize_bic, normalize_iban
from desktop.domain.clock import paris_today
from desktop.domain.enums import MandateStatus, SequenceType
from desktop.domain.errors import ValidationError, collect
from desktop.domain.roles import Permission
from desktop.domain.sepa import make_rum, mandate_lapsed
from desktop.errors import NotFoundError, UserError
from desktop.services.access import requires
from desktop.services.counters import next_value
from desktop.services.fields import clean, raise_if_any, text_field

RUM_SERIES = "sepa-mandate"
SYSTEM_ACTOR = "système"


@dataclass(frozen=True)
class MandateDetails:
    id: int
    client_id: int
    contract_id: int | None
    rum: str
    debtor_name: str
    debtor_address: str | None
    iban: str
    bic: str | None
    signed_on: date
    status: MandateStatus
    next_sequence_type: SequenceType
    last_collection_on: date | None
    revoked_on: date | None
    version: int


def mandate_details(mandate: SepaMandate) -> MandateDetails:
    return MandateDetails(
        id=mandate.id,
        client_id=mandate.client_id,
        contract_id=mandate.contract_id,
        rum=mandate.rum,
        debtor_name=mandate.debtor_name,
        debtor_address=mandate.debtor_address,
        iban=mandate.iban,
        bic=mandate.bic,
        signed_on=mandate.signed_on,
        status=mandate.status,
        next_sequence_type=mandate.next_sequence_type,
        last_collection_on=mandate.last_collection_on,
        revoked_on=mandate.revoked_on,
        version=mandate.version,
    )


@requires(Permission.SEPA)
def create_mandate(
    db: Database,
    client_id: int,
    *,
    contract_id: int | None = None,
    debtor_name: str,
    debtor_address: str | None,
    iban: str,
    bic: str | None = None,
    signed_on: date,
    actor: str,
) -> MandateDetails:
    """Record a signed mandate, with a new unique reference (RUM).

    Every field is checked before anything is written; errors come back
    together, keyed by field (``debtor_name``, ``iban``, ``bic``, ``signed_on``).
    """
    errors: dict[str, str] = {}
    name = text_field(
        errors,
        "debtor_name",
        debtor_name,
        SepaMandate.debtor_name,
        required="Indiquez le nom du titulaire du compte.",
    )
    address = clean(debtor_address)
    account = collect(errors, "iban", lambda: normalize_iban(iban))
    bank = None if clean(bic) is None else collect(errors, "bic", lambda: normalize_bic(bic or ""))
    if signed_on > paris_today():
        errors["signed_on"] = "La date de signature ne peut pas être dans le futur."
    raise_if_any(errors)
    assert name is not None and account is not None
    with db.session_scope() as session:
        owner = session.get(Client, client_id)
        if owner is None:
            raise NotFoundError(f"Client introuvable (n° interne {client_id}).")
        if contract_id is not None:
            _check_contract(session, client_id, contract_id)
        current = _active_for(session, client_id, contract_id)
        if current is not None:
            raise UserError(
                f"Un mandat actif existe déjà ({current.rum}) pour "
                + ("ce contrat" if contract_id is not None else "ce client")
                + " : révoquez-le avant d'en enregistrer un nouveau."
            )
        mandate = SepaMandate(
            client_id=client_id,
            contract_id=contract_id,
            rum=make_rum(owner.code, next_value(session, RUM_SERIES)),
            debtor_name=name,
            debtor_address=address,
            iban=account,
            bic=bank,
            signed_on=signed_on,
            status=MandateStatus.ACTIVE,
            next_sequence_type=SequenceType.FRST,
            updated_by=actor,
        )
        session.add(mandate)
        session.flush()
        return mandate_details(mandate)


def _check_contract(session: Session, client_id: int, contract_id: int) -> None:
    owner = session.execute(
        sa.select(Contract.client_id).where(Contract.id == contract_id)
    ).scalar_one_or_none()
    if owner is None:
        raise ValidationError({"contract_id": "Contrat introuvable."})
    if owner != client_id:
        raise ValidationError({"contract_id": "Ce contrat appartient à un autre client."})


def _active_for(session: Session, client_id: int, contract_id: int | None) -> SepaMandate | None:
    """The active mandate of exactly this client and contract (or client-wide one)."""
    contract = (
        SepaMandate.contract_id.is_(None)
        if contract_id is None
        else SepaMandate.contract_id == contract_id
    )
    return session.scalars(
        sa.select(SepaMandate)
        .where(
            SepaMandate.client_id == client_id,
            SepaMandate.status == MandateStatus.ACTIVE,
            contract,
        )
        .order_by(SepaMandate.signed_on.desc(), SepaMandate.id.desc())
        .limit(1)
    ).first()


def active_mandate(
    session: Session, client_id: int, contract_id: int | None = None
) -> SepaMandate | None:
    """The mandate to debit a client with: the contract's own active mandate, else
    the client-wide one, else (no contract named) the client's latest active one."""
    if contract_id is not None:
        found = _active_for(session, client_id, contract_id) or _active_for(
            session, client_id, None
        )
        return found
    return active_mandates(session, {client_id}).get(client_id)


def active_mandates(session: Session, client_ids: set[int]) -> dict[int, SepaMandate]:
    """Each client's mandate to debit with when no contract is named, in one SELECT: its
    client-wide active mandate, else its latest signed active one."""
    found: dict[int, SepaMandate] = {}
    for mandate in session.scalars(
        sa.select(SepaMandate)
        .where(SepaMandate.client_id.in_(client_ids), SepaMandate.status == MandateStatus.ACTIVE)
        .order_by(
            SepaMandate.client_id,
            SepaMandate.contract_id.is_not(None),  # a client-wide mandate first
            SepaMandate.signed_on.desc(),
            SepaMandate.id.desc(),
        )
    ):
        found.setdefault(mandate.client_id, mandate)
    return found


@requires(Permission.SEPA)
def revoke_mandate(
    db: Database, mandate_id: int, *, revoked_on: date, actor: str
) -> MandateDetails:
    """The debtor (or the office) ends an active mandate: no more debits on it."""
    with db.session_scope() as session:
        mandate = session.get(SepaMandate, mandate_id, with_for_update=True)
        if mandate is None:
            raise NotFoundError(f"Mandat introuvable (n° interne {mandate_id}).")
        if mandate.status is not MandateStatus.ACTIVE:
            raise UserError(
                f"Le mandat {mandate.rum} n'est plus actif ({mandate.status.label.lower()})."
            )
        if revoked_on > paris_today():
            raise ValidationError({"revoked_on": "La date de révocation est dans le futur."})
        if revoked_on < mandate.signed_on:
            raise ValidationError(
                {"revoked_on": "La révocation ne peut pas précéder la signature du mandat."}
            )
        mandate.status = MandateStatus.REVOKED
        mandate.revoked_on = revoked_on
        mandate.updated_by = actor
        session.flush()
        return mandate_details(mandate)


@requires(Permission.SEPA)
def lapse_unused_mandates(db: Database, today: date, *, actor: str = SYSTEM_ACTOR) -> int:
    """Mark lapsed every active mandate unused for 36 months; how many were."""
    with db.session_scope() as session:
        count = 0
        for mandate in session.scalars(
            sa.select(SepaMandate)
            .where(SepaMandate.status == MandateStatus.ACTIVE)
            .with_for_update()
        ):
            if mandate_lapsed(mandate.last_collection_on, mandate.signed_on, today):
                mandate.status = MandateStatus.LAPSED
                mandate.updated_by = actor
                count += 1
        return count


def list_mandates(db: Database, client_id: int) -> list[MandateDetails]:
    """A client's mandates, the latest signed first."""
    with db.read_session() as session:
        return [
            mandate_details(mandate)
            for mandate in session.scalars(
                sa.select(SepaMandate)
                .where(SepaMandate.client_id == client_id)
                .order_by(SepaMandate.signed_on.desc(), SepaMandate.id.desc())
            )
        ]
