"""SIREN, SIRET, VAT numbers, postcodes — and the shared error helpers."""

from __future__ import annotations

import pickle
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren as fr_siren

from desktop.domain.errors import (
    FIELD_LABELS,
    InvalidValue,
    ValidationError,
    collect,
    field_label,
)
from desktop.domain.identifiers import (
    french_vat_number,
    normalize_postcode,
    normalize_siren,
    normalize_siret,
    normalize_vat_number,
)

# Real SIRENs (checksums verified with stdnum): EDF, TotalEnergies SE, Société Générale.
EDF = "552081317"
TOTALENERGIES = "542051180"
SOCIETE_GENERALE = "552120222"
LA_POSTE = "356000000"


def _invalid(fn: Callable[[], object]) -> str:
    with pytest.raises(InvalidValue) as info:
        fn()
    assert str(info.value) == info.value.message
    return info.value.message


def _fixed_point_or_invalid(fn: Callable[[str], str], value: str) -> str | None:
    """``fn`` returns a str that it maps to itself, or raises InvalidValue — nothing else."""
    try:
        result = fn(value)
    except InvalidValue as exc:
        assert exc.message
        return None
    assert isinstance(result, str)
    assert fn(result) == result
    return result


# --- errors -----------------------------------------------------------------------------


def test_invalid_value_is_a_value_error_with_its_message() -> None:
    exc = InvalidValue("Le SIREN doit comporter 9 chiffres.")
    assert isinstance(exc, ValueError)
    assert str(exc) == exc.message == "Le SIREN doit comporter 9 chiffres."
    assert pickle.loads(pickle.dumps(exc)).message == exc.message


def test_validation_error_joins_french_labels() -> None:
    exc = ValidationError({"siren": "Clé invalide.", "vat_number": "Absent.", "zzz": "Oups."})
    assert exc.errors == {"siren": "Clé invalide.", "vat_number": "Absent.", "zzz": "Oups."}
    assert str(exc) == "SIREN : Clé invalide. ; N° de TVA : Absent. ; zzz : Oups."
    assert pickle.loads(pickle.dumps(exc)).errors == exc.errors


def test_field_labels() -> None:
    assert FIELD_LABELS["domain_name"] == "Nom de domaine"
    assert field_label("billing_email") == "E-mail de facturation"
    assert field_label("quota_gb") == "Quota (Go)"
    assert field_label("unknown_field") == "unknown_field"


def test_collect_gathers_errors_and_returns_values() -> None:
    errors: dict[str, str] = {}
    siren = collect(errors, "siren", lambda: normalize_siren("552 081 317"))
    siret = collect(errors, "siret", lambda: normalize_siret("123"))
    collect(errors, "siret", lambda: normalize_siret(""))  # first error of a field is kept
    assert siren == EDF
    assert siret is None
    assert list(errors) == ["siret"]
    assert "14 chiffres" in errors["siret"]


def test_collect_lets_other_exceptions_through() -> None:
    def boom() -> str:
        raise KeyError("x")

    with pytest.raises(KeyError):
        collect({}, "name", boom)


# --- SIREN ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (EDF, EDF),
        ("552 081 317", EDF),
        ("552.081.317", EDF),
        ("552-081-317", EDF),
        ("\u00a0542\u202f051\u202f180 ", TOTALENERGIES),
        (SOCIETE_GENERALE, SOCIETE_GENERALE),
        (LA_POSTE, LA_POSTE),
    ],
)
def test_siren_valid(raw: str, expected: str) -> None:
    assert normalize_siren(raw) == expected


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("", "obligatoire"),
        ("   ", "obligatoire"),
        ("552081318", "Clé de contrôle du SIREN invalide"),  # last digit changed
        ("552081327", "Clé de contrôle du SIREN invalide"),  # one digit changed
        ("55208131", "9 chiffres (8 chiffres saisis)"),
        ("5520813170", "9 chiffres (10 chiffres saisis)"),
        ("55208131A", "caractère « A » non autorisé"),
        ("５５２０８１３１７", "non autorisé"),  # full-width digits are not ASCII digits
        ("552_081_317", "« _ »"),
    ],
)
def test_siren_invalid(raw: str, words: str) -> None:
    assert words in _invalid(lambda: normalize_siren(raw))


def test_siren_messages_are_distinct() -> None:
    messages = {
        _invalid(lambda: normalize_siren("")),
        _invalid(lambda: normalize_siren("12345678")),
        _invalid(lambda: normalize_siren("552081318")),
    }
    assert len(messages) == 3


# --- SIRET ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("55208131766522", "55208131766522"),  # EDF head office
        ("552 081 317 66522", "55208131766522"),
        ("542 051 180 00066", "54205118000066"),  # TotalEnergies SE head office
        ("552.120.222-00013", "55212022200013"),  # Société Générale head office
        ("35600000000048", "35600000000048"),  # La Poste head office: ordinary Luhn key
    ],
)
def test_siret_valid(raw: str, expected: str) -> None:
    assert normalize_siret(raw) == expected


def test_siret_la_poste_special_rule() -> None:
    # La Poste establishments: the digit sum is a multiple of 5, the Luhn key does not hold.
    siret = "35600000010014"
    assert sum(map(int, siret)) % 5 == 0
    assert not luhn.is_valid(siret)
    assert normalize_siret(siret, siren=LA_POSTE) == siret
    # Digit sum not a multiple of 5 → refused.
    assert "Clé de contrôle du SIRET" in _invalid(lambda: normalize_siret("35600000010015"))


def test_siret_with_matching_siren() -> None:
    assert normalize_siret("55208131766522", siren=EDF) == "55208131766522"
    assert normalize_siret("55208131766522", siren="552 081 317") == "55208131766522"


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("", "Le SIRET est obligatoire"),
        ("55208131766523", "Clé de contrôle du SIRET invalide"),  # last digit changed
        ("5520813176652", "14 chiffres (13 chiffres saisis)"),
        ("552081317665220", "14 chiffres (15 chiffres saisis)"),
        ("5520813176652X", "caractère « X » non autorisé"),
        ("55208131866522", "ne forment pas un SIREN valide"),  # SIREN part altered
    ],
)
def test_siret_invalid(raw: str, words: str) -> None:
    assert words in _invalid(lambda: normalize_siret(raw))


def test_siret_of_another_siren() -> None:
    message = _invalid(lambda: normalize_siret("55212022200013", siren=EDF))
    assert message == "Le SIRET doit commencer par le SIREN 552081317."


# --- VAT numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("siren", "vat"),
    [
        (EDF, "FR03552081317"),
        (TOTALENERGIES, "FR59542051180"),
        (SOCIETE_GENERALE, "FR27552120222"),
        (LA_POSTE, "FR39356000000"),
    ],
)
def test_french_vat_number(siren: str, vat: str) -> None:
    assert french_vat_number(siren) == vat
    assert eu_vat.is_valid(vat)
    assert normalize_vat_number(vat, siren=siren) == vat


def test_french_vat_number_of_invalid_siren() -> None:
    assert "Clé de contrôle du SIREN" in _invalid(lambda: french_vat_number("552081318"))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("FR03552081317", "FR03552081317"),
        ("fr 03 552 081 317", "FR03552081317"),
        ("FR-03-552.081.317", "FR03552081317"),
        ("DE136695976", "DE136695976"),  # Germany
        ("de 136 695 976", "DE136695976"),
        ("BE0403170701", "BE0403170701"),  # Belgium
        ("BE403170701", "BE0403170701"),  # old 9-digit Belgian form, padded by stdnum
        ("EL094259216", "EL094259216"),  # Greece uses EL
        ("XI980780684", "XI980780684"),  # Northern Ireland
    ],
)
def test_vat_valid(raw: str, expected: str) -> None:
    assert normalize_vat_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("", "Le n° de TVA est obligatoire"),
        ("FR04552081317", "Clé de contrôle du n° de TVA invalide"),  # wrong key
        ("FR03552081318", "SIREN contenu dans le n° de TVA est invalide"),
        ("FR0355208131", "longueur"),
        ("DE136695977", "Clé de contrôle"),  # one digit changed
        ("DE13669597", "longueur pour le code pays DE"),
        ("BE0403170702", "Clé de contrôle"),
        ("03552081317", "doit commencer par le code du pays"),
        ("US123456789", "Code pays « US » inconnu"),
        ("EU372022452", "Code pays « EU » inconnu"),  # OSS numbers are not accepted
        ("GR094259216", "« EL »"),
        ("FR", "incomplet"),
        ("FR03552081317€", "caractère non autorisé : « € »"),
        ("FRß", "« ß »"),
    ],
)
def test_vat_invalid(raw: str, words: str) -> None:
    assert words in _invalid(lambda: normalize_vat_number(raw))


def test_vat_of_another_siren() -> None:
    message = _invalid(lambda: normalize_vat_number("FR03552081317", siren=TOTALENERGIES))
    assert message == (
        "Le n° de TVA ne correspond pas au SIREN 542051180 (attendu : FR59542051180)."
    )


def test_vat_wrong_key_for_given_siren_suggests_the_right_one() -> None:
    message = _invalid(lambda: normalize_vat_number("FR04552081317", siren=EDF))
    assert message == "Clé de contrôle du n° de TVA invalide (attendu : FR03552081317)."


def test_vat_siren_is_ignored_for_foreign_numbers() -> None:
    assert normalize_vat_number("DE136695976", siren=EDF) == "DE136695976"


# --- postcodes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("75001", "FR", "75001"),
        (" 75 001 ", "FR", "75001"),
        ("01000", "FR", "01000"),
        ("97400", "fr", "97400"),
        ("98000", "FR", "98000"),
        ("sw1a  1aa", "GB", "SW1A 1AA"),
        ("1000", "BE", "1000"),
        ("D02 X285", "IE", "D02 X285"),
        ("00-950", "PL", "00-950"),
    ],
)
def test_postcode_valid(raw: str, country: str, expected: str) -> None:
    assert normalize_postcode(raw, country) == expected


@pytest.mark.parametrize(
    ("raw", "country", "words"),
    [
        ("", "FR", "obligatoire"),
        ("7500", "FR", "5 chiffres"),
        ("750011", "FR", "5 chiffres"),
        ("7500A", "FR", "5 chiffres"),
        ("00100", "FR", "00 ni par 99"),
        ("99000", "FR", "00 ni par 99"),
        ("", "DE", "obligatoire"),
        ("12345678901", "DE", "10 caractères"),
        ("12_45", "DE", "« _ »"),
        ("ß", "DE", "« ß »"),
        ("--", "DE", "au moins une lettre ou un chiffre"),
    ],
)
def test_postcode_invalid(raw: str, country: str, words: str) -> None:
    assert words in _invalid(lambda: normalize_postcode(raw, country))


# --- properties -------------------------------------------------------------------------


def _siren_from(base: int) -> str:
    digits = f"{base:08d}"
    return digits + luhn.calc_check_digit(digits)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**8 - 1))
def test_every_luhn_valid_siren_has_a_vat_number(base: int) -> None:
    siren = _siren_from(base)
    assert fr_siren.is_valid(siren)
    assert normalize_siren(siren) == siren
    vat = french_vat_number(siren)
    assert vat == f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"
    assert normalize_vat_number(vat, siren=siren) == vat


_digitish = st.from_regex(r"\A[0-9 .\-]{0,20}\Z")
_vatish = st.from_regex(r"\A[A-Za-z]{2}[0-9A-Za-z .\-]{0,16}\Z")
_prefixed = st.builds(
    lambda cc, body: cc + body,
    st.sampled_from(["FR", "DE", "BE", "EL", "XI", "NL", "ES", "IT", "AT", "IE", "CY", "LT"]),
    st.from_regex(r"\A[0-9A-Z]{0,14}\Z"),
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), _digitish))
def test_siren_fuzz(value: str) -> None:
    result = _fixed_point_or_invalid(normalize_siren, value)
    if result is not None:
        assert len(result) == 9 and result.isascii() and result.isdigit()


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), _digitish), st.one_of(st.none(), st.just(EDF)))
def test_siret_fuzz(value: str, siren: str | None) -> None:
    result = _fixed_point_or_invalid(lambda v: normalize_siret(v, siren), value)
    if result is not None:
        assert len(result) == 14 and result.isascii() and result.isdigit()


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), _vatish, _prefixed), st.one_of(st.none(), st.just(EDF)))
def test_vat_fuzz(value: str, siren: str | None) -> None:
    result = _fixed_point_or_invalid(lambda v: normalize_vat_number(v, siren), value)
    if result is not None:
        assert result == result.upper() and result.isascii() and result.isalnum()


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), _digitish), st.sampled_from(["FR", "DE", "GB"]))
def test_postcode_fuzz(value: str, country: str) -> None:
    _fixed_point_or_invalid(lambda v: normalize_postcode(v, country), value)
