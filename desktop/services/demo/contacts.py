"""A client's billing e-mail and contacts, once its primary domain is known."""

from __future__ import annotations

from datetime import datetime, timedelta

from desktop.domain.enums import ClientKind, ContactRole
from desktop.services.demo.builder import DemoBuilder
from desktop.services.demo.identifiers import mobile
from desktop.services.demo.tables import Row
from desktop.services.demo.text import person_slug

PUBLIC_BILLING_BOXES = ("finances", "comptabilite", "factures")
BUSINESS_BILLING_BOXES = ("compta", "comptabilite", "facturation", "factures", "gestion")


def add_contacts(b: DemoBuilder, client: Row, primary: str) -> None:
    """Billing e-mail and contacts at the domain ``primary``; drops the client's private keys."""
    client.pop("_domain_prefixes", None)
    person = client.pop("_person", None)
    if client["kind"] is ClientKind.CONSUMER:
        assert person is not None
        _consumer_contacts(b, client, primary, person)
    else:
        _organisation_contacts(b, client, primary)


def _consumer_contacts(b: DemoBuilder, client: Row, primary: str, person: tuple[str, str]) -> None:
    """The consumer is both administrator and billing contact, at the family domain."""
    first, last = person
    created: datetime = client["created_at"]
    client["billing_email"] = f"{person_slug(first)}.{person_slug(last)}@{primary}"
    client["consumer_waiver_at"] = created + timedelta(minutes=b.rng.randint(5, 600))
    for role in (ContactRole.ADMINISTRATOR, ContactRole.BILLING):
        _contact(b, client, role, f"{first} {last}", client["billing_email"], client["phone"])


def _organisation_contacts(b: DemoBuilder, client: Row, primary: str) -> None:
    """An administrator, a billing contact and often a technical one, all different people."""
    rng = b.rng
    public = client["kind"] is ClientKind.PUBLIC_BODY
    box = rng.choice(PUBLIC_BILLING_BOXES if public else BUSINESS_BILLING_BOXES)
    client["billing_email"] = f"{box}@{primary}"
    roles = [ContactRole.ADMINISTRATOR, ContactRole.BILLING]
    if rng.random() < 0.7:
        roles.append(ContactRole.TECHNICAL)
    for role in roles:
        first, last = b.first_name(), b.last_name()
        email = (
            client["billing_email"]
            if role is ContactRole.BILLING and rng.random() < 0.5
            else f"{person_slug(first)}.{person_slug(last)}@{primary}"
        )
        phone = mobile(rng) if rng.random() < 0.4 else client["phone"]
        _contact(b, client, role, f"{first} {last}", email, phone)


def _contact(
    b: DemoBuilder, client: Row, role: ContactRole, name: str, email: str, phone: str
) -> None:
    b.add(
        "contact",
        {
            "id": b.next_id("contact"),
            "client_id": client["id"],
            "role": role,
            "name": name,
            "email": email,
            "phone": phone,
            "is_primary": True,
            **b.stamps(client["created_at"]),
        },
    )


def administrator(b: DemoBuilder, client: Row) -> str:
    """Who receives the access codes: the administrator contact, else the billing address."""
    admin = next(
        (
            c
            for c in reversed(b.rows["contact"])
            if c["client_id"] == client["id"] and c["role"] is ContactRole.ADMINISTRATOR
        ),
        None,
    )
    return f"{admin['name']} <{admin['email']}>" if admin else str(client["billing_email"])
