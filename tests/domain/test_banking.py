"""IBAN, BIC and SEPA creditor identifier (ICS): normalised forms and French messages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.banking import (
    creditor_check_digits,
    format_iban,
    normalize_bic,
    normalize_creditor_identifier,
    normalize_iban,
)
from desktop.domain.errors import InvalidValue
from desktop.services.demo.identifiers import creditor_id, french_iban

# Published examples: the ECBS/EPC sample IBANs, the Banque de France and
# Deutsche Bundesbank sample creditor identifiers.
FR_IBAN = "FR7630006000011234567890189"
DE_IBAN = "DE89370400440532013000"
GB_IBAN = "GB82WEST12345698765432"
FR_ICS = "FR72ZZZ123456"
DE_ICS = "DE98ZZZ09999999999"


def _invalid(fn: Callable[[], object]) -> str:
    with pytest.raises(InvalidValue) as info:
        fn()
    return info.value.message


# --- IBAN -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (FR_IBAN, FR_IBAN),
        ("fr76 3000 6000 0112 3456 7890 189", FR_IBAN),
        (" FR76-3000-6000-0112-3456-7890-189\n", FR_IBAN),
        ("FR76\u00a03000\u00a06000\u00a00112\u00a03456\u00a07890\u00a0189", FR_IBAN),
        ("de89 3704 0044 0532 0130 00", DE_IBAN),
        (GB_IBAN, GB_IBAN),
        ("BE68539007547034", "BE68539007547034"),
        ("MC5811222000010123456789030", "MC5811222000010123456789030"),
    ],
)
def test_iban_is_normalised(typed: str, expected: str) -> None:
    assert normalize_iban(typed) == expected


def test_iban_of_the_demo_generator_is_valid() -> None:
    iban = french_iban("15589", "56900", "01234567890")
    assert normalize_iban(format_iban(iban)) == iban


def test_format_iban_groups_by_four() -> None:
    assert format_iban(FR_IBAN) == "FR76 3000 6000 0112 3456 7890 189"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "L'IBAN est obligatoire."),
        ("   ", "L'IBAN est obligatoire."),
        ("FR76 3000 6000 0112 3456 7890 18ß", "L'IBAN contient un caractère non autorisé : « ß »."),
        ("FR76_3000", "L'IBAN contient un caractère non autorisé : « _ »."),
        ("7630006000011234567890189", "L'IBAN doit commencer par le code du pays (FR76…)."),
        ("XX7630006000011234567890189", "Code pays « XX » inconnu"),
        ("FR76300060000112345678901", "Un IBAN FR comporte 27 caractères (25 saisis)."),
        ("FR" + "1" * 40, "Un IBAN comporte au plus 34 caractères (42 saisis)."),
        ("FRAB30006000011234567890189", "Les caractères 3 et 4 de l'IBAN sont sa clé"),
        ("FR7630006000011234567890188", "Clé de contrôle de l'IBAN invalide"),
        ("DE88370400440532013000", "Clé de contrôle de l'IBAN invalide"),
        # 01 ≡ 98 (mod 97): passes a bare "mod 97 = 1" test, yet no IBAN carries it.
        ("DE01370400440532013032", "Clé de contrôle de l'IBAN invalide"),
        # IBAN check digits right, RIB key (the last two digits) wrong.
        ("FR0630006000011234567890188", "Clé RIB du compte invalide"),
        ("FR76300060000112345678901A9", "Format de l'IBAN invalide pour le pays FR"),
    ],
)
def test_bad_iban_is_refused_in_french(typed: str, message: str) -> None:
    assert _invalid(lambda: normalize_iban(typed)).startswith(message)


def test_the_alias_of_a_valid_iban_is_valid_itself() -> None:
    assert normalize_iban("DE98370400440532013032") == "DE98370400440532013032"


# --- BIC --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("BNPAFRPP", "BNPAFRPP"),
        ("bnpa fr pp", "BNPAFRPP"),
        ("CMBRFR2BARK", "CMBRFR2BARK"),
        ("agrifrppxxx", "AGRIFRPPXXX"),
        ("DEUTDEFF500", "DEUTDEFF500"),
    ],
)
def test_bic_is_normalised(typed: str, expected: str) -> None:
    assert normalize_bic(typed) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Le BIC est obligatoire."),
        ("BNPAFRP", "Le BIC comporte 8 ou 11 caractères (7 saisis)."),
        ("BNPAFRPP1", "Le BIC comporte 8 ou 11 caractères (9 saisis)."),
        ("BNPA12PP", "Les caractères 5 et 6 du BIC sont le code du pays"),
        ("BNPAZZPP", "Code pays « ZZ » inconnu dans le BIC"),
        ("BNPAFRP!", "Le BIC contient un caractère non autorisé : « ! »."),
        ("BNPAFRPé", "Le BIC contient un caractère non autorisé : « é »."),
    ],
)
def test_bad_bic_is_refused_in_french(typed: str, message: str) -> None:
    assert _invalid(lambda: normalize_bic(typed)).startswith(message)


# --- SEPA creditor identifier -------------------------------------------------------------


def test_check_digits_of_the_published_examples() -> None:
    """EPC262: MOD 97-10 over national id + country + "00", business code left out."""
    assert creditor_check_digits("FR", "123456") == "72"
    assert creditor_check_digits("DE", "09999999999") == "98"
    # By hand: "123456" + "FR00" → 123456 15 27 00; 98 − (123456152700 mod 97) = 72.
    assert 98 - int("123456" + "1527" + "00") % 97 == 72


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (FR_ICS, FR_ICS),
        ("fr72 zzz 123456", FR_ICS),
        ("FR72-ZZZ-123456", FR_ICS),
        (DE_ICS, DE_ICS),
        # The business code (positions 5-7) is chosen by the creditor: not in the check.
        ("FR72ABC123456", "FR72ABC123456"),
        ("DE98001 09999999999", "DE9800109999999999"),
    ],
)
def test_creditor_identifier_is_normalised(typed: str, expected: str) -> None:
    assert normalize_creditor_identifier(typed) == expected


@given(st.from_regex(r"[0-9A-Z]{6}", fullmatch=True))
def test_demo_creditor_identifiers_are_valid(national: str) -> None:
    """The demo generator computes the key on its own: both must agree."""
    ics = creditor_id(national)
    assert normalize_creditor_identifier(ics) == ics


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "L'identifiant créancier SEPA (ICS) est obligatoire."),
        ("FR73ZZZ123456", "Clé de contrôle de l'identifiant créancier SEPA invalide"),
        ("FR72ZZZ123457", "Clé de contrôle de l'identifiant créancier SEPA invalide"),
        ("DE97ZZZ09999999999", "Clé de contrôle de l'identifiant créancier SEPA invalide"),
        # 01 ≡ 98 (mod 97): refused although the bare mod-97 test passes.
        ("DE01ZZZ09999999999", "Clé de contrôle de l'identifiant créancier SEPA invalide"),
        ("FR72ZZZ12345", "Un identifiant créancier SEPA français comporte 13 caractères"),
        ("FR72ZZZ1234567", "Un identifiant créancier SEPA français comporte 13 caractères"),
        ("FRxxZZZ123456", "Les caractères 3 et 4 de l'identifiant créancier SEPA sont sa clé"),
        ("72ZZZ123456", "L'identifiant créancier SEPA doit commencer par le code du pays"),
        ("DE98ZZZ", "L'identifiant créancier SEPA est incomplet"),
        ("DE98ZZZ" + "1" * 29, "Un identifiant créancier SEPA comporte au plus 35 caractères"),
        ("FR72ZZZ12345_", "L'identifiant créancier SEPA contient un caractère non autorisé"),
    ],
)
def test_bad_creditor_identifier_is_refused_in_french(typed: str, message: str) -> None:
    assert _invalid(lambda: normalize_creditor_identifier(typed)).startswith(message)


# --- fuzz: any text gives a normalised value or InvalidValue, nothing else ---------------

NORMALISERS = [normalize_iban, normalize_bic, normalize_creditor_identifier]

_alphabet = st.sampled_from(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyzß -.\u00a0\u2013\t\nÉéİıﬁ١٢३"
)
_texts = st.one_of(
    st.text(),
    st.text(alphabet=_alphabet, max_size=40),
    st.sampled_from([FR_IBAN, DE_IBAN, GB_IBAN, "BNPAFRPP", FR_ICS, DE_ICS]).flatmap(
        lambda good: st.integers(0, len(good)).map(lambda cut: good[:cut] + good[cut + 1 :])
    ),
)


@pytest.mark.parametrize("normalize", NORMALISERS, ids=lambda fn: fn.__name__)
@settings(max_examples=300, deadline=None)
@given(text=_texts)
def test_any_text_is_normalised_or_refused(normalize: Callable[[str], str], text: str) -> None:
    try:
        result = normalize(text)
    except InvalidValue as exc:
        assert exc.message and exc.message[0].isupper()
        return
    assert result == result.upper() and result.isascii() and result.isalnum()
    assert normalize(result) == result  # idempotent
