"""The provider's identity and settings: validation, storage, optimistic locking."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from factories import ACTOR, OTHER_VAT, SIREN, VAT
from sqlalchemy.orm import Session

from desktop.db.engine import Database
from desktop.db.models import Provider
from desktop.domain.errors import FIELD_LABELS, ValidationError
from desktop.errors import ConflictError, NotFoundError
from desktop.services.demo import generate_demo
from desktop.services.provider import (
    FRENCH_VAT_RATES,
    MAX_LOGO_BYTES,
    ProviderDetails,
    ProviderDraft,
    as_draft,
    check_draft,
    get_provider,
    provider_exists,
    save_provider,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64


def draft(**changes: Any) -> ProviderDraft:
    base = ProviderDraft(
        name="Nuage Armor",
        legal_form="SAS",
        share_capital=Decimal("50000.00"),
        address_line1="14 rue du Commerce",
        address_line2="Parc d'activités du Golfe",
        postcode="56000",
        city="Vannes",
        siren=SIREN,
        rcs_city="Vannes",
        phone="02 97 40 12 34",
        email="contact@nuage-armor.fr",
        website="https://www.nuage-armor.fr",
        iban="FR76 3000 6000 0112 3456 7890 189",
        bic="agrifrpp",
        sepa_creditor_id="fr72 zzz 123456",
    )
    return replace(base, **changes)


def errors_of(
    db: Database, value: ProviderDraft, expected_version: int | None = None
) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        save_provider(db, value, expected_version=expected_version, actor=ACTOR)
    return info.value.errors


# --- create and read ----------------------------------------------------------------------


def test_no_provider_before_the_first_save(db: Database) -> None:
    assert get_provider(db) is None
    assert provider_exists(db) is False


def test_create_normalises_stores_and_reads_back(db: Database) -> None:
    saved = save_provider(
        db, draft(refused_tlds=(".TEL", "Рф", "tel")), expected_version=None, actor=ACTOR
    )
    assert provider_exists(db)
    assert saved.iban == "FR7630006000011234567890189"
    assert saved.bic == "AGRIFRPP"
    assert saved.sepa_creditor_id == "FR72ZZZ123456"
    assert saved.vat_number == VAT  # computed from the SIREN
    assert saved.country == "FR"
    assert saved.refused_tlds == ("tel", "xn--p1ai")
    assert saved.updated_by == ACTOR and saved.version == 1
    assert saved.updated_at.tzinfo is not None
    assert get_provider(db) == saved
    with db.read_session() as session:
        row = session.get(Provider, 1)
        assert row is not None
        assert row.refused_tlds == "tel,xn--p1ai"
        # The other settings keep their defaults.
        assert row.invoice_number_format == "F{year}-{seq:06d}"
        assert row.recovery_indemnity == Decimal("40.00")


def test_optional_fields_may_stay_empty(db: Database) -> None:
    saved = save_provider(
        db,
        draft(
            address_line2="  ",
            phone=None,
            email="",
            website=None,
            iban=None,
            bic=None,
            sepa_creditor_id=None,
            refused_tlds=(),
        ),
        expected_version=None,
        actor=ACTOR,
    )
    assert (saved.address_line2, saved.phone, saved.email, saved.website) == (None,) * 4
    assert (saved.iban, saved.bic, saved.sepa_creditor_id) == (None, None, None)
    assert saved.refused_tlds == ()


def test_exact_decimal_round_trip(db: Database) -> None:
    value = draft(
        share_capital=Decimal("999999999999.99"),
        default_vat_rate=Decimal("5.5"),
        penalty_rate=Decimal("10.37"),
    )
    saved = save_provider(db, value, expected_version=None, actor=ACTOR)
    read = get_provider(db)
    assert read is not None
    for details in (saved, read):
        assert str(details.share_capital) == "999999999999.99"
        assert str(details.default_vat_rate) == "5.50"
        assert str(details.penalty_rate) == "10.37"
        assert isinstance(details.penalty_rate, Decimal)
    small = save_provider(
        db, draft(share_capital=Decimal("0.01")), expected_version=read.version, actor=ACTOR
    )
    assert str(small.share_capital) == "0.01"


def test_logo_is_stored_with_the_type_read_from_its_bytes(db: Database) -> None:
    saved = save_provider(
        db, draft(logo=PNG, logo_mime="image/gif"), expected_version=None, actor=ACTOR
    )
    assert (saved.logo, saved.logo_mime) == (PNG, "image/png")
    saved = save_provider(db, draft(logo=JPEG), expected_version=saved.version, actor=ACTOR)
    assert (saved.logo, saved.logo_mime) == (JPEG, "image/jpeg")
    saved = save_provider(db, draft(logo=None), expected_version=saved.version, actor=ACTOR)
    assert (saved.logo, saved.logo_mime) == (None, None)


def test_a_details_saved_back_as_it_is_changes_nothing_but_the_stamps(db: Database) -> None:
    first = save_provider(db, draft(logo=PNG), expected_version=None, actor=ACTOR)
    again = save_provider(db, first, expected_version=first.version, actor="bob")
    assert as_draft(again) == as_draft(first)
    assert again.version == first.version + 1 and again.updated_by == "bob"


@pytest.mark.parametrize("rate", FRENCH_VAT_RATES)
def test_every_french_vat_rate_is_accepted(rate: Decimal) -> None:
    assert check_draft(draft(default_vat_rate=rate)) == {}


@pytest.mark.parametrize("days", [0, 30, 45, 60])
def test_payment_days_up_to_sixty(days: int) -> None:
    assert check_draft(draft(payment_days=days)) == {}


def test_the_demo_provider_is_valid(sqlite_db: Database) -> None:
    generate_demo(sqlite_db, clients=1)
    details = get_provider(sqlite_db)
    assert details is not None
    assert check_draft(details) == {}


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "  "}, "name", "Le nom est obligatoire."),
        ({"name": "x" * 201}, "name", "200 caractères au maximum (201 caractères saisis)."),
        ({"legal_form": ""}, "legal_form", "La forme juridique est obligatoire"),
        ({"address_line1": ""}, "address_line1", "L'adresse est obligatoire."),
        ({"address_line2": "x" * 201}, "address_line2", "200 caractères au maximum"),
        ({"city": ""}, "city", "La ville est obligatoire."),
        ({"rcs_city": ""}, "rcs_city", "La ville du greffe (RCS) est obligatoire."),
        ({"postcode": ""}, "postcode", "Le code postal est obligatoire."),
        ({"postcode": "5600"}, "postcode", "Le code postal doit comporter 5 chiffres."),
        ({"country": "FRA"}, "country", "Le pays s'indique par son code à deux lettres"),
        ({"siren": ""}, "siren", "Le SIREN est obligatoire."),
        ({"siren": "552081318"}, "siren", "Clé de contrôle du SIREN invalide."),
        (
            {"vat_number": OTHER_VAT},
            "vat_number",
            f"Le n° de TVA ne correspond pas au SIREN {SIREN} (attendu : {VAT}).",
        ),
        (
            {"vat_number": "DE136695976"},
            "vat_number",
            f"Le n° de TVA ne correspond pas au SIREN {SIREN}",
        ),
        ({"vat_number": "FR00552081317"}, "vat_number", "Clé de contrôle du n° de TVA invalide"),
        ({"phone": "0" * 31}, "phone", "30 caractères au maximum"),
        ({"email": "pas-un-e-mail"}, "email", "L'adresse e-mail doit contenir"),
        ({"website": "ftp://exemple.fr"}, "website", "L'adresse du site web commence par http"),
        ({"website": "exemple"}, "website", "Extension manquante"),
        ({"iban": "FR7630006000011234567890188"}, "iban", "Clé de contrôle de l'IBAN invalide"),
        ({"bic": "BNPAZZPP"}, "bic", "Code pays « ZZ » inconnu dans le BIC"),
        ({"bic": None}, "bic", "Le BIC est obligatoire avec l'IBAN."),
        ({"iban": None, "sepa_creditor_id": None}, "iban", "L'IBAN est obligatoire avec le BIC."),
        (
            {"iban": None, "bic": None},
            "iban",
            "L'IBAN est obligatoire pour prélever avec un identifiant créancier SEPA.",
        ),
        (
            {"sepa_creditor_id": "FR73ZZZ123456"},
            "sepa_creditor_id",
            "Clé de contrôle de l'identifiant créancier SEPA invalide",
        ),
        (
            {"share_capital": Decimal("-0.01")},
            "share_capital",
            "La valeur ne peut pas être négative.",
        ),
        ({"share_capital": Decimal("1.005")}, "share_capital", "Deux décimales au maximum."),
        (
            {"share_capital": Decimal("1E+12")},
            "share_capital",
            "Le capital social ne peut pas dépasser",
        ),
        ({"share_capital": Decimal("NaN")}, "share_capital", "Nombre attendu."),
        (
            {"default_vat_rate": Decimal("19.6")},
            "default_vat_rate",
            "Taux de TVA français attendu : 20 %, 10 %, 5,5 %, 2,1 %, 0 %.",
        ),
        (
            {"default_vat_rate": Decimal("-20")},
            "default_vat_rate",
            "La valeur ne peut pas être négative.",
        ),
        ({"payment_days": 61}, "payment_days", "Le délai de paiement va de 0 à 60 jours"),
        ({"payment_days": -1}, "payment_days", "Le délai de paiement va de 0 à 60 jours"),
        ({"penalty_rate": Decimal("-1")}, "penalty_rate", "La valeur ne peut pas être négative."),
        ({"penalty_rate": Decimal("12.345")}, "penalty_rate", "Deux décimales au maximum."),
        (
            {"penalty_rate": Decimal("100.01")},
            "penalty_rate",
            "Le taux des pénalités de retard ne peut pas dépasser 100 %.",
        ),
        ({"refused_tlds": ("tel", "co.uk")}, "refused_tlds", "« co.uk » n'est pas une extension"),
        ({"refused_tlds": ("123",)}, "refused_tlds", "L'extension « .123 » n'est pas valide"),
        ({"refused_tlds": ("t!l",)}, "refused_tlds", "Extension « .t!l » invalide : caractère"),
        ({"refused_tlds": (" ",)}, "refused_tlds", "Extension vide."),
        (
            {"refused_tlds": tuple(f"tld{n}" for n in range(120))},
            "refused_tlds",
            "Liste trop longue",
        ),
        ({"logo": b""}, "logo", "Le fichier du logo est vide."),
        ({"logo": GIF}, "logo", "Le logo doit être une image PNG ou JPEG."),
        (
            {"logo": PNG + b"\x00" * MAX_LOGO_BYTES},
            "logo",
            "Le logo pèse 1,0 Mo : 1 Mo au maximum.",
        ),
    ],
)
def test_each_rule_names_its_field(
    db: Database, changes: dict[str, Any], field: str, message: str
) -> None:
    errors = errors_of(db, draft(**changes))
    assert list(errors) == [field]
    assert errors[field].startswith(message), errors[field]
    assert not provider_exists(db)


def test_a_logo_of_exactly_one_megabyte_is_accepted() -> None:
    assert check_draft(draft(logo=PNG + b"\x00" * (MAX_LOGO_BYTES - len(PNG)))) == {}


def test_every_error_at_once(db: Database) -> None:
    everything_wrong = ProviderDraft(
        name="",
        legal_form="",
        share_capital=Decimal("-1"),
        address_line1="",
        address_line2="x" * 300,
        postcode="!!",
        city="",
        country="F1",
        siren="123",
        rcs_city="",
        vat_number="XX1",
        phone="0" * 40,
        email="@",
        website="ftp://x",
        iban="FR76",
        bic="nope",
        sepa_creditor_id="FR00",
        logo=GIF,
        default_vat_rate=Decimal("7"),
        payment_days=90,
        penalty_rate=Decimal("-3"),
        refused_tlds=("a.b",),
    )
    errors = errors_of(db, everything_wrong)
    expected = {
        "name",
        "legal_form",
        "share_capital",
        "address_line1",
        "address_line2",
        "postcode",
        "city",
        "country",
        "siren",
        "rcs_city",
        "vat_number",
        "phone",
        "email",
        "website",
        "iban",
        "bic",
        "sepa_creditor_id",
        "logo",
        "default_vat_rate",
        "payment_days",
        "penalty_rate",
        "refused_tlds",
    }
    assert set(errors) == expected
    assert expected <= set(FIELD_LABELS)  # "Label : message" on the command line
    assert check_draft(everything_wrong) == errors
    assert "Capital social : La valeur ne peut pas être négative." in str(ValidationError(errors))


# --- optimistic locking -----------------------------------------------------------------------


def test_update_with_the_version_read(db: Database) -> None:
    first = save_provider(db, draft(), expected_version=None, actor=ACTOR)
    second = save_provider(
        db, draft(name="Nuage Armor Services", payment_days=45), expected_version=1, actor="bob"
    )
    assert (second.name, second.payment_days, second.version) == ("Nuage Armor Services", 45, 2)
    assert second.updated_by == "bob" and second.updated_at >= first.updated_at
    assert get_provider(db) == second


def test_two_saves_from_the_same_version_conflict(db: Database) -> None:
    read = save_provider(db, draft(), expected_version=None, actor=ACTOR)
    save_provider(
        db, draft(city="Lorient", postcode="56100"), expected_version=read.version, actor="alice"
    )
    with pytest.raises(ConflictError) as info:
        save_provider(db, draft(name="Autre nom"), expected_version=read.version, actor="bob")
    assert info.value.changed_by == "alice"
    assert info.value.current_version == read.version + 1
    assert info.value.message.startswith("La fiche du prestataire a été modifiée par alice le ")
    assert "rechargez-la" in info.value.message
    current = get_provider(db)
    assert current is not None and current.name == "Nuage Armor" and current.city == "Lorient"


def test_creating_twice_conflicts(db: Database) -> None:
    save_provider(db, draft(), expected_version=None, actor="alice")
    with pytest.raises(ConflictError) as info:
        save_provider(db, draft(name="Doublon"), expected_version=None, actor="bob")
    assert info.value.changed_by == "alice" and info.value.current_version == 1
    current = get_provider(db)
    assert current is not None and current.name == "Nuage Armor"


def test_updating_a_provider_that_does_not_exist(db: Database) -> None:
    with pytest.raises(NotFoundError):
        save_provider(db, draft(), expected_version=1, actor=ACTOR)
    assert not provider_exists(db)


def test_an_invalid_save_writes_nothing(db: Database) -> None:
    saved = save_provider(db, draft(), expected_version=None, actor=ACTOR)
    errors_of(db, draft(siren="", name="Autre"), expected_version=saved.version)
    assert get_provider(db) == saved
    with db.read_session() as session:
        assert session.execute(sa.select(Provider.version)).scalar_one() == 1


def test_details_are_drafts(db: Database) -> None:
    saved = save_provider(db, draft(), expected_version=None, actor=ACTOR)
    assert isinstance(saved, ProviderDetails) and isinstance(saved, ProviderDraft)
    plain = as_draft(saved)
    assert type(plain) is ProviderDraft and plain.vat_number == VAT


def test_a_creation_racing_another_one_conflicts(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both desktops saw no provider; the second insert fails on the key: a conflict."""
    save_provider(db, draft(), expected_version=None, actor="alice")
    real_get = Session.get

    def get_missing_when_locking(self: Session, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("with_for_update"):
            return None  # what the second desktop saw before the first committed
        return real_get(self, *args, **kwargs)

    monkeypatch.setattr(Session, "get", get_missing_when_locking)
    with pytest.raises(ConflictError) as info:
        save_provider(db, draft(name="Doublon"), expected_version=None, actor="bob")
    assert info.value.changed_by == "alice"
    monkeypatch.undo()
    current = get_provider(db)
    assert current is not None and current.name == "Nuage Armor"
