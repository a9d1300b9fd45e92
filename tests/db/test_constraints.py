"""Rules the database itself enforces, whatever code writes to it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Client, Contact
from desktop.domain.enums import ClientKind, ContactRole


def test_one_primary_contact_per_role(db: Database) -> None:
    with db.session_scope() as session:
        client = Client(
            code="CL00001", kind=ClientKind.BUSINESS, name="Martin", billing_email="a@martin.fr"
        )
        client.contacts = [
            Contact(role=ContactRole.BILLING, name="Anne Martin", is_primary=True),
            Contact(role=ContactRole.BILLING, name="Paul Martin", is_primary=False),
            Contact(role=ContactRole.ADMINISTRATOR, name="Anne Martin", is_primary=True),
        ]
        session.add(client)
    with pytest.raises(sa.exc.IntegrityError), db.session_scope() as session:
        second = session.scalars(sa.select(Contact).where(Contact.name == "Paul Martin")).one()
        second.is_primary = True
    with db.read_session() as session:
        primaries = session.scalars(
            sa.select(Contact.name).where(Contact.is_primary).order_by(Contact.role)
        ).all()
    assert primaries == ["Anne Martin", "Anne Martin"]
