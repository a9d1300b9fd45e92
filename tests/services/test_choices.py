"""Choosers of the forms: what each list offers, in which order, and how fast."""

from __future__ import annotations

import time

import sqlalchemy as sa
from factories import ACTOR, OTHER_SIREN, client, contract, domain, plan, product_line, world

from desktop.db.engine import Database
from desktop.db.models import Client, Provider
from desktop.domain.enums import ClientKind, ClientStatus, ContractStatus, MailboxKind
from desktop.services.choices import (
    Choice,
    client_choice,
    client_choices,
    contract_choices,
    domain_choices,
    plan_choices,
    refused_extensions,
)


def test_client_label_is_code_and_name(db: Database) -> None:
    acme = client(db, name="Dupont SARL", code="CL00012", city="Lyon")
    assert client_choices(db) == (Choice(acme.id, "CL00012 — Dupont SARL", "Lyon"),)
    assert client_choice(db, acme.id) == client_choices(db)[0]
    assert client_choice(db, acme.id + 1) is None


def test_client_search_matches_code_and_name_words(db: Database) -> None:
    dupont = client(db, name="Dupont SARL", code="CL00012")
    durand = client(db, name="Durand et fils", code="CL00013", siren=OTHER_SIREN)
    assert [c.id for c in client_choices(db, "dupont")] == [dupont.id]
    assert [c.id for c in client_choices(db, "DUR")] == [durand.id]
    assert [c.id for c in client_choices(db, "cl0001")] == [dupont.id, durand.id]
    assert [c.id for c in client_choices(db, "sarl dupont")] == [dupont.id]
    assert [c.id for c in client_choices(db, "00013")] == [durand.id]
    assert client_choices(db, "martin") == ()
    assert client_choices(db, "100%") == ()


def test_active_clients_come_first_then_by_name(db: Database) -> None:
    gone = client(db, name="Aaa résilié", status=ClientStatus.TERMINATED)
    zed = client(db, name="zed", kind=ClientKind.CONSUMER, siren=None)
    able = client(db, name="Able", kind=ClientKind.CONSUMER, siren=None)
    prospect = client(db, name="Abc prospect", status=ClientStatus.PROSPECT, city=None)
    choices = client_choices(db)
    assert [c.id for c in choices] == [able.id, zed.id, prospect.id, gone.id]
    assert choices[2].detail == "Prospect"
    assert choices[3].detail == "Lyon · Résilié"


def test_client_search_is_limited(db: Database) -> None:
    rows = [
        {
            "code": f"CL{n:05d}",
            "kind": ClientKind.CONSUMER,
            "name": f"Client {n}",
            "billing_email": f"c{n}@exemple.fr",
            "status": ClientStatus.ACTIVE if n % 3 else ClientStatus.TERMINATED,
            "country": "FR",
            "version": 1,
            "updated_by": ACTOR,
        }
        for n in range(5000)
    ]
    with db.session_scope() as session:
        session.execute(sa.insert(Client), rows)
    started = time.perf_counter()
    first = client_choices(db)
    found = client_choices(db, "client 12", limit=10)
    elapsed = time.perf_counter() - started
    assert len(first) == 50
    assert len(found) == 10
    assert all("12" in c.label and "Résilié" not in c.detail for c in found)
    assert elapsed < 1.0
    assert client_choices(db, limit=0) == ()


def test_contracts_open_to_new_mailboxes(db: Database) -> None:
    w = world(db)
    owner = w.client_id
    contract(db, owner, w.he_line_id, number="C2026-00010", status=ContractStatus.TERMINATED)
    contract(db, owner, w.he_line_id, number="C2026-00011", status=ContractStatus.CANCELLED)
    pending = contract(
        db, owner, w.o365_line_id, number="C2026-00012", status=ContractStatus.PENDING
    )
    suspended = contract(
        db, owner, w.he_line_id, number="C2026-00013", status=ContractStatus.SUSPENDED
    )
    other = client(db, name="Autre", siren=OTHER_SIREN)
    contract(db, other.id, w.he_line_id, number="C2026-00099")
    assert contract_choices(db, owner) == (
        Choice(w.he_contract_id, "C2026-00001 — Hosted Exchange", "Actif", w.he_line_id),
        Choice(w.o365_contract_id, "C2026-00002 — Office 365", "Actif", w.o365_line_id),
        Choice(pending, "C2026-00012 — Office 365", "En attente d'activation", w.o365_line_id),
        Choice(suspended, "C2026-00013 — Hosted Exchange", "Suspendu", w.he_line_id),
    )


def test_domains_in_unicode_primary_first(db: Database) -> None:
    owner = client(db)
    first = domain(db, owner.id, "zeta.fr")
    cafe = domain(db, owner.id, "café.fr")
    other = client(db, name="Autre", siren=OTHER_SIREN)
    domain(db, other.id, "autre.fr")
    assert domain_choices(db, owner.id) == (
        Choice(first.id, "zeta.fr", "principal"),
        Choice(cafe.id, "café.fr", ""),
    )
    assert domain_choices(db, owner.id + 100) == ()


def test_active_plans_of_a_product_line(db: Database) -> None:
    line = product_line(db)
    big = plan(db, line, code="HE-PLUS", name="Exchange Plus", quota_gb=50)
    small = plan(db, line, code="HE-STD", name="Exchange Standard", quota_gb=10)
    plan(db, line, code="HE-OLD", name="Ancienne", quota_gb=5, active=False)
    room = plan(db, line, code="HE-ROOM", name="Salle", quota_gb=10, mailbox_kind=MailboxKind.ROOM)
    assert plan_choices(db, line) == (
        Choice(small, "Exchange Standard", "10 Go, utilisateur", line),
        Choice(room, "Salle", "10 Go, salle", line),
        Choice(big, "Exchange Plus", "50 Go, utilisateur", line),
    )


def test_refused_extensions_default_then_setting(db: Database) -> None:
    assert refused_extensions(db) == ("tel",)
    with db.session_scope() as session:
        session.execute(
            sa.insert(Provider).values(
                id=1,
                name="Messagerie Pro",
                legal_form="SAS",
                share_capital=1000,
                address_line1="1 rue de la Paix",
                postcode="75002",
                city="Paris",
                siren="552081317",
                rcs_city="Paris",
                vat_number="FR03552081317",
                refused_tlds="tel, .example ,",
                version=1,
            )
        )
    assert refused_extensions(db) == ("tel", ".example")
