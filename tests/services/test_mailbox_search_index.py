"""The mailbox search index (migration 0002) follows every write, whatever the term."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Mailbox
from desktop.services.listing import ListQuery
from desktop.services.mailboxes import list_mailboxes, update_mailbox
from tests.services.factories import ACTOR, World, mailbox, mailbox_draft, world


def found(db: Database, search: str) -> set[str]:
    return {row.address for row in list_mailboxes(db, ListQuery(search=search)).rows}


@pytest.fixture
def acme(db: Database) -> World:
    return world(db, client_name="Zèbre SA")


def test_inserted_mailboxes_are_found(db: Database, acme: World) -> None:
    mailbox(db, acme, "dupont", display_name="Élise Dupont")
    mailbox(db, acme, "martin", display_name="Paul Martin")
    assert found(db, "dupont") == {"dupont@acme.fr"}
    assert found(db, "UPONT") == {"dupont@acme.fr"}  # substring, any case
    assert found(db, "élise") == {"dupont@acme.fr"}  # display name
    assert found(db, "acme.fr") == {"dupont@acme.fr", "martin@acme.fr"}
    assert found(db, "paul dupont") == set()
    assert found(db, "zèbre") == {"dupont@acme.fr", "martin@acme.fr"}  # client name


def test_a_renamed_mailbox_is_found_by_its_new_address_only(db: Database, acme: World) -> None:
    created = mailbox(db, acme, "ancien", display_name="Compte Alpha")
    update_mailbox(
        db,
        created.id,
        mailbox_draft(acme, "nouveau", display_name="Compte Omega"),
        expected_version=created.version,
        actor=ACTOR,
    )
    assert found(db, "ancien") == set()
    assert found(db, "alpha") == set()
    assert found(db, "nouveau") == {"nouveau@acme.fr"}
    assert found(db, "omega") == {"nouveau@acme.fr"}


def test_a_deleted_mailbox_is_no_longer_found(db: Database, acme: World) -> None:
    kept = mailbox(db, acme, "gardee")
    gone = mailbox(db, acme, "partie")
    with db.engine.begin() as connection:
        connection.execute(sa.delete(Mailbox.__table__).where(Mailbox.__table__.c.id == gone.id))
    assert found(db, "partie") == set()
    assert found(db, "gardee") == {kept.address}


@pytest.mark.parametrize(
    "search",
    ['o"brien', '"', '""', "a.b@c", "o'brien", "x*", "NEAR(a b)", "a:b", "-ab", "(abc", "^abc"],
)
def test_punctuation_in_the_term_is_taken_literally(db: Database, acme: World, search: str) -> None:
    mailbox(db, acme, "jean", display_name='Jean O"Brien a.b@c')
    assert list_mailboxes(db, ListQuery(search=search)).total is not None


def test_quotes_and_dots_are_matched_literally(db: Database, acme: World) -> None:
    mailbox(db, acme, "jean", display_name='Jean O"Brien a.b@c')
    mailbox(db, acme, "paul", display_name="Paul Obrien ab@c")
    assert found(db, 'o"brien') == {"jean@acme.fr"}
    assert found(db, "a.b@c") == {"jean@acme.fr"}
    assert found(db, "obrien") == {"paul@acme.fr"}


@pytest.mark.parametrize(("search", "addresses"), [("j", {"jo@acme.fr"}), ("JO", {"jo@acme.fr"})])
def test_terms_of_one_or_two_characters(
    db: Database, acme: World, search: str, addresses: set[str]
) -> None:
    mailbox(db, acme, "jo")
    mailbox(db, acme, "paul")
    assert found(db, search) == addresses
