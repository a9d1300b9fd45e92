"""Test data helpers shared by the service tests.

Catalogue rows and contracts are inserted through the ORM (their services
come later); clients and domains go through their services, so that the
data is what the application itself would store.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Contract, Plan, ProductLine
from desktop.domain.enums import ClientKind, ContractStatus, MailboxKind, ProductLineCode
from desktop.services.clients import ClientDetails, ClientDraft, create_client
from desktop.services.domains import DomainDetails, DomainDraft, create_domain
from desktop.services.mailboxes import MailboxDetails, MailboxDraft, create_mailbox

ACTOR = "tester"

# Real identifiers (checked with python-stdnum).
SIREN = "552081317"
SIRET = "55208131700018"
VAT = "FR03552081317"
OTHER_SIREN = "732829320"
OTHER_SIRET = "73282932000009"
OTHER_VAT = "FR44732829320"
PUBLIC_SIREN = "130005481"

_LINE_NAMES = {
    ProductLineCode.HOSTED_EXCHANGE: "Hosted Exchange",
    ProductLineCode.OFFICE_365: "Office 365",
}


def product_line(db: Database, code: ProductLineCode = ProductLineCode.HOSTED_EXCHANGE) -> int:
    with db.session_scope() as session:
        line = ProductLine(code=code, name=_LINE_NAMES[code], updated_by=ACTOR)
        session.add(line)
        session.flush()
        return line.id


def plan(
    db: Database,
    product_line_id: int,
    *,
    code: str,
    name: str,
    quota_gb: int = 50,
    active: bool = True,
    mailbox_kind: MailboxKind = MailboxKind.USER,
) -> int:
    with db.session_scope() as session:
        row = Plan(
            product_line_id=product_line_id,
            code=code,
            name=name,
            quota_gb=quota_gb,
            active=active,
            mailbox_kind=mailbox_kind,
            updated_by=ACTOR,
        )
        session.add(row)
        session.flush()
        return row.id


def contract(
    db: Database,
    client_id: int,
    product_line_id: int,
    *,
    number: str,
    status: ContractStatus = ContractStatus.ACTIVE,
) -> int:
    with db.session_scope() as session:
        row = Contract(
            client_id=client_id,
            product_line_id=product_line_id,
            number=number,
            initial_months=12,
            renewal_months=12,
            status=status,
            updated_by=ACTOR,
        )
        session.add(row)
        session.flush()
        return row.id


def business_draft(**changes: Any) -> ClientDraft:
    draft = ClientDraft(
        kind=ClientKind.BUSINESS,
        name="Acme Industrie",
        siren=SIREN,
        billing_email="compta@acme.fr",
        city="Lyon",
        postcode="69001",
    )
    return replace(draft, **changes)


def client(db: Database, **changes: Any) -> ClientDetails:
    return create_client(db, business_draft(**changes), actor=ACTOR)


def domain(db: Database, client_id: int, name: str, **changes: Any) -> DomainDetails:
    draft = DomainDraft(client_id=client_id, name=name, admin_certified=True)
    return create_domain(db, replace(draft, **changes), actor=ACTOR)


@dataclass(frozen=True)
class World:
    """One client with a domain, both product lines, plans and a contract on each."""

    client_id: int
    domain_id: int
    he_line_id: int
    o365_line_id: int
    he_plan_id: int
    he_big_plan_id: int
    o365_plan_id: int
    he_contract_id: int
    o365_contract_id: int


def world(db: Database, *, client_name: str = "Acme Industrie", suffix: str = "") -> World:
    """A ready-to-use client; ``suffix`` keeps codes unique when building several."""
    owner = client(db, name=client_name)
    he = _line(db, ProductLineCode.HOSTED_EXCHANGE)
    o365 = _line(db, ProductLineCode.OFFICE_365)
    return World(
        client_id=owner.id,
        domain_id=domain(db, owner.id, f"acme{suffix}.fr").id,
        he_line_id=he,
        o365_line_id=o365,
        he_plan_id=_plan(db, he, "HE-STD", "Exchange Standard", 10),
        he_big_plan_id=_plan(db, he, "HE-PLUS", "Exchange Plus", 50),
        o365_plan_id=_plan(db, o365, "O365-BUS", "Business Basic", 50),
        he_contract_id=contract(db, owner.id, he, number=f"C2026-{suffix}00001"),
        o365_contract_id=contract(db, owner.id, o365, number=f"C2026-{suffix}00002"),
    )


def _line(db: Database, code: ProductLineCode) -> int:
    with db.read_session() as session:
        existing = session.execute(
            sa.select(ProductLine.id).where(ProductLine.code == code)
        ).scalar_one_or_none()
    return existing if existing is not None else product_line(db, code)


def _plan(db: Database, line_id: int, code: str, name: str, quota_gb: int) -> int:
    with db.read_session() as session:
        existing = session.execute(sa.select(Plan.id).where(Plan.code == code)).scalar_one_or_none()
    if existing is not None:
        return existing
    return plan(db, line_id, code=code, name=name, quota_gb=quota_gb)


def mailbox_draft(w: World, local_part: str = "jean", **changes: Any) -> MailboxDraft:
    """A Hosted Exchange mailbox on the world's domain, with ``changes`` applied."""
    draft = MailboxDraft(
        contract_id=w.he_contract_id,
        domain_id=w.domain_id,
        plan_id=w.he_plan_id,
        local_part=local_part,
    )
    return replace(draft, **changes)


def mailbox(db: Database, w: World, local_part: str, **changes: Any) -> MailboxDetails:
    return create_mailbox(db, mailbox_draft(w, local_part, **changes), actor=ACTOR)
