"""Every field a service's ValidationError can name has a French label.

The one-line message (command line, imports) reads "Label : message"; a key
without a label would show as a raw name such as ``chorus_pro_id``.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import fields
from datetime import datetime

import pytest
from factories import ACTOR, business_draft, client, domain

from desktop.db.engine import Database
from desktop.domain.enums import ClientKind, ContactRole
from desktop.domain.errors import FIELD_LABELS, ITEM_LABELS, ValidationError, field_label
from desktop.services import clients, domains, mailboxes
from desktop.services.clients import ClientDraft, ContactDraft, create_client
from desktop.services.domains import DomainDraft, create_domain, update_domain
from desktop.services.mailboxes import MailboxDraft, create_mailbox

LONG = "x" * 300

_ITEM_KEY = re.compile(r"(\w+)\[\d+\](?:\.(\w+))?")


def _labelled(key: str) -> bool:
    item = _ITEM_KEY.fullmatch(key)
    if item is None:
        return key in FIELD_LABELS
    return item[1] in ITEM_LABELS and (item[2] is None or item[2] in FIELD_LABELS)


def _unlabelled(keys: set[str]) -> set[str]:
    return {key for key in keys if not _labelled(key)}


# --- rendering --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("siren", "SIREN"),
        ("domain_name", "Nom de domaine"),
        ("contacts[0]", "Contact 1"),
        ("contacts[2].email", "Contact 3 — E-mail"),
        ("contacts[9].is_primary", "Contact 10 — Principal"),
        ("contacts[1].unknown", "Contact 2 — unknown"),
        ("lines[0].amount", "lines[0].amount"),  # no item label: the raw key
        ("unknown", "unknown"),
    ],
)
def test_field_label(key: str, label: str) -> None:
    assert field_label(key) == label


def test_one_line_message_names_contacts_from_one() -> None:
    error = ValidationError({"name": "Obligatoire.", "contacts[1].email": "Invalide."})
    assert error.message == "Nom : Obligatoire. ; Contact 2 — E-mail : Invalide."


# --- every key has a label ----------------------------------------------------------------


def _draft_keys() -> set[str]:
    """The services key errors by the draft's field names (a domain's name: domain_name)."""
    keys = {f.name for f in fields(ClientDraft)}
    keys |= {f"contacts[0].{f.name}" for f in fields(ContactDraft) if f.name != "id"}
    keys.add("contacts[0]")  # a contact id that is not the client's
    keys |= {f.name for f in fields(DomainDraft) if f.name != "name"} | {"domain_name"}
    keys |= {f.name for f in fields(MailboxDraft)}
    return keys


def _unique_rule_keys() -> set[str]:
    rules = [
        *clients._unique_rules(business_draft()),
        *domains._unique_rules(DomainDraft(client_id=1, name="acme.fr")),
        *mailboxes._unique_rules(
            MailboxDraft(contract_id=1, domain_id=1, plan_id=1, local_part="a")
        ),
    ]
    return {rule.field for rule in rules}


def test_every_draft_field_and_unique_rule_has_a_label() -> None:
    assert _unlabelled(_draft_keys() | _unique_rule_keys()) == set()


_EMITTED = {
    # clients
    "code",
    "name",
    "legal_form",
    "siren",
    "siret",
    "vat_number",
    "address_line1",
    "address_line2",
    "postcode",
    "city",
    "country",
    "billing_email",
    "phone",
    "chorus_pro_id",
    "chorus_pro_service_code",
    "consumer_waiver_at",
    "contacts[0]",
    "contacts[0].name",
    "contacts[0].email",
    "contacts[0].phone",
    "contacts[1].is_primary",
    # domains
    "client_id",
    "domain_name",
    "is_primary",
    "admin_certified",
    # mailboxes
    "contract_id",
    "domain_id",
    "plan_id",
    "local_part",
    "display_name",
    "quota_gb",
}


# ``errors.setdefault("key", …)``, ``errors["key"] = …``, ``collect(errors, "key", …)``…
_LITERAL_KEY = re.compile(
    r'errors(?:\.setdefault\(|\[|,)\s*f?"(?P<item>\{prefix\}\.)?(?P<key>\w+)"'
)


def _literal_keys() -> set[str]:
    """Keys written literally in the services' sources (contact ones as ``contacts[0].…``)."""
    keys = set()
    for module in (clients, domains, mailboxes):
        for match in _LITERAL_KEY.finditer(inspect.getsource(module)):
            key = match["key"]
            keys.add(f"contacts[0].{key}" if match["item"] else key)
    return keys


def test_every_key_written_in_the_services_has_a_label() -> None:
    keys = _literal_keys()
    assert {"siren", "plan_id", "admin_certified", "contacts[0].is_primary"} <= keys
    assert _unlabelled(keys) == set()


def _errors(action: Callable[[], object]) -> Iterator[str]:
    with pytest.raises(ValidationError) as info:
        action()
    yield from info.value.errors


def _emitted_keys(db: Database) -> set[str]:
    """The keys of the errors raised by drafts wrong in every way the services check."""
    keys: set[str] = set()
    everything_wrong = ClientDraft(
        code="é",
        kind=ClientKind.BUSINESS,
        name=" ",
        legal_form=LONG,
        siren="",
        siret="123",
        vat_number="XX1",
        address_line1=LONG,
        address_line2=LONG,
        postcode="abc",
        city=LONG,
        country="FRA",
        billing_email="",
        phone=LONG,
        chorus_pro_id=LONG,
        chorus_pro_service_code=LONG,
        consumer_waiver_at=datetime(2026, 7, 1, 9, 30),  # noqa: DTZ001 - Paris time as typed
        contacts=(
            ContactDraft(
                id=999_999,
                role=ContactRole.ADMINISTRATOR,
                name=" ",
                email="pas-un-e-mail",
                phone=LONG,
                is_primary=True,
            ),
            ContactDraft(role=ContactRole.ADMINISTRATOR, name="Bis", is_primary=True),
        ),
    )
    keys.update(_errors(lambda: create_client(db, everything_wrong, actor=ACTOR)))
    consumer = business_draft(
        kind=ClientKind.CONSUMER,
        siret="55208131700018",
        vat_number="FR03552081317",
        chorus_pro_id="123",
        postcode="abc",
    )
    keys.update(_errors(lambda: create_client(db, consumer, actor=ACTOR)))

    bad_domain = DomainDraft(client_id=999_999, name="acme", admin_certified=False)
    keys.update(_errors(lambda: create_domain(db, bad_domain, actor=ACTOR)))
    primary = domain(db, client(db).id, "acme.fr")
    demoted = DomainDraft(client_id=primary.client_id, name="acme.fr", admin_certified=True)
    keys.update(
        _errors(
            lambda: update_domain(
                db, primary.id, demoted, expected_version=primary.version, actor=ACTOR
            )
        )
    )

    bad_mailbox = MailboxDraft(
        contract_id=999_999,
        domain_id=999_999,
        plan_id=999_999,
        local_part="a b",
        display_name=LONG,
        quota_gb=0,
    )
    keys.update(_errors(lambda: create_mailbox(db, bad_mailbox, actor=ACTOR)))
    return keys


def test_every_emitted_key_has_a_label(db: Database) -> None:
    keys = _emitted_keys(db)
    assert _unlabelled(keys) == set()
    # The scenarios above reach every key the services emit; a new check needs one too.
    assert keys == _EMITTED
