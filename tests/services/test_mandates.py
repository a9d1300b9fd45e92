"""SEPA mandates: unique references, IBAN/BIC checked in French, revocation, lapsing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Counter, SepaMandate
from desktop.domain.clock import paris_today
from desktop.domain.enums import MandateStatus, SequenceType
from desktop.domain.errors import ValidationError
from desktop.errors import UserError
from desktop.services.mandates import (
    MandateDetails,
    active_mandate,
    create_mandate,
    lapse_unused_mandates,
    list_mandates,
    revoke_mandate,
)
from tests.services.factories import ACTOR, client, contract, product_line

DEBTOR_IBAN = "FR14 2004 1010 0505 0001 3M02 606"
OTHER_IBAN = "DE89370400440532013000"
SIGNED = date(2025, 12, 15)


def mandate(db: Database, client_id: int, **changes: Any) -> MandateDetails:
    values: dict[str, Any] = {
        "debtor_name": "Acme Industrie",
        "debtor_address": "3 quai Saint-Antoine\n69002 Lyon",
        "iban": DEBTOR_IBAN,
        "bic": "psst fr pp",
        "signed_on": SIGNED,
        "actor": ACTOR,
    }
    return create_mandate(db, client_id, **(values | changes))


def _rows(db: Database) -> int:
    with db.read_session() as session:
        return session.execute(sa.select(sa.func.count()).select_from(SepaMandate)).scalar_one()


def test_create_mandate_normalises_and_generates_the_rum(db: Database) -> None:
    owner = client(db)
    made = mandate(db, owner.id)
    assert made.rum == f"BOM-{owner.code}-000001"
    assert len(made.rum) <= 35
    assert (made.iban, made.bic) == ("FR1420041010050500013M02606", "PSSTFRPP")
    assert made.status is MandateStatus.ACTIVE
    assert made.next_sequence_type is SequenceType.FRST
    assert (made.signed_on, made.last_collection_on, made.revoked_on) == (SIGNED, None, None)
    assert made.debtor_address == "3 quai Saint-Antoine\n69002 Lyon"
    assert list_mandates(db, owner.id) == [made]


def test_a_new_contract_gets_a_new_unique_rum(db: Database) -> None:
    owner = client(db)
    line = product_line(db)
    first = contract(db, owner.id, line, number="C2026-00001")
    second = contract(db, owner.id, line, number="C2026-00002")
    a = mandate(db, owner.id, contract_id=first)
    b = mandate(db, owner.id, contract_id=second, iban=OTHER_IBAN, bic=None)
    assert (a.rum, b.rum) == (f"BOM-{owner.code}-000001", f"BOM-{owner.code}-000002")
    assert (b.iban, b.bic) == ("DE89370400440532013000", None)
    with db.read_session() as session:
        assert active_mandate(session, owner.id, first).id == a.id  # type: ignore[union-attr]
        assert active_mandate(session, owner.id, second).id == b.id  # type: ignore[union-attr]
        assert active_mandate(session, owner.id, None) is not None


def test_a_second_active_mandate_for_the_same_contract_is_refused(db: Database) -> None:
    owner = client(db)
    first = mandate(db, owner.id)
    with pytest.raises(UserError) as info:
        mandate(db, owner.id)
    assert info.value.message == (
        f"Un mandat actif existe déjà ({first.rum}) pour ce client : "
        "révoquez-le avant d'en enregistrer un nouveau."
    )
    assert _rows(db) == 1
    revoke_mandate(db, first.id, revoked_on=date(2026, 1, 2), actor=ACTOR)
    again = mandate(db, owner.id, iban=OTHER_IBAN)
    assert again.rum == f"BOM-{owner.code}-000002"


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"iban": "FR7630006000011234567890188"},
            {"iban": "Clé de contrôle de l'IBAN invalide : vérifiez la saisie."},
        ),
        (
            {"iban": "FR76300060000112345678901"},
            {"iban": "Un IBAN FR comporte 27 caractères (25 saisis)."},
        ),
        ({"iban": "  "}, {"iban": "L'IBAN est obligatoire."}),
        ({"bic": "BNPAFRP"}, {"bic": "Le BIC comporte 8 ou 11 caractères (7 saisis)."}),
        (
            {"iban": "XX00123", "bic": "BNPA12PP", "debtor_name": " "},
            {
                "debtor_name": "Indiquez le nom du titulaire du compte.",
                "iban": (
                    "Code pays « XX » inconnu : un IBAN commence par le code d'un pays "
                    "qui utilise l'IBAN (FR, DE, BE…)."
                ),
                "bic": (
                    "Les caractères 5 et 6 du BIC sont le code du pays de la banque "
                    "(par exemple FR)."
                ),
            },
        ),
    ],
)
def test_bad_bank_details_are_refused_in_french_and_nothing_is_written(
    db: Database, changes: dict[str, Any], errors: dict[str, str]
) -> None:
    owner = client(db)
    with pytest.raises(ValidationError) as info:
        mandate(db, owner.id, **changes)
    assert info.value.errors == errors
    assert _rows(db) == 0
    with db.read_session() as session:
        assert session.get(Counter, "sepa-mandate") is None


def test_a_signature_in_the_future_is_refused(db: Database) -> None:
    owner = client(db)
    with pytest.raises(ValidationError) as info:
        mandate(db, owner.id, signed_on=paris_today() + timedelta(days=1))
    assert info.value.errors == {
        "signed_on": "La date de signature ne peut pas être dans le futur."
    }
    assert _rows(db) == 0


def test_a_contract_of_another_client_is_refused(db: Database) -> None:
    owner = client(db)
    other = client(db, name="Bretagne Bois", siren="732829320")
    theirs = contract(db, other.id, product_line(db), number="C2026-00009")
    with pytest.raises(ValidationError) as info:
        mandate(db, owner.id, contract_id=theirs)
    assert info.value.errors == {"contract_id": "Ce contrat appartient à un autre client."}
    assert _rows(db) == 0


def test_revoke(db: Database) -> None:
    owner = client(db)
    made = mandate(db, owner.id)
    with pytest.raises(ValidationError) as early:
        revoke_mandate(db, made.id, revoked_on=date(2025, 12, 1), actor=ACTOR)
    assert early.value.errors == {
        "revoked_on": "La révocation ne peut pas précéder la signature du mandat."
    }
    revoked = revoke_mandate(db, made.id, revoked_on=date(2026, 1, 2), actor=ACTOR)
    assert (revoked.status, revoked.revoked_on) == (MandateStatus.REVOKED, date(2026, 1, 2))
    with pytest.raises(UserError) as twice:
        revoke_mandate(db, made.id, revoked_on=date(2026, 1, 3), actor=ACTOR)
    assert twice.value.message == f"Le mandat {made.rum} n'est plus actif (révoqué)."
    with db.read_session() as session:
        assert active_mandate(session, owner.id) is None


def test_mandates_unused_for_36_months_lapse(db: Database) -> None:
    owner = client(db)
    line = product_line(db)
    never_used = mandate(db, owner.id, signed_on=date(2023, 1, 10))
    used = mandate(
        db,
        owner.id,
        contract_id=contract(db, owner.id, line, number="C2026-00001"),
        signed_on=date(2022, 1, 1),
    )
    with db.session_scope() as session:
        row = session.get(SepaMandate, used.id)
        assert row is not None
        row.last_collection_on = date(2025, 6, 1)
    assert lapse_unused_mandates(db, date(2026, 1, 9)) == 0
    assert lapse_unused_mandates(db, date(2026, 1, 10)) == 1
    assert lapse_unused_mandates(db, date(2026, 1, 10)) == 0
    statuses = {m.id: m.status for m in list_mandates(db, owner.id)}
    assert statuses == {never_used.id: MandateStatus.LAPSED, used.id: MandateStatus.ACTIVE}
    assert lapse_unused_mandates(db, date(2028, 6, 1)) == 1
    assert {m.status for m in list_mandates(db, owner.id)} == {MandateStatus.LAPSED}
