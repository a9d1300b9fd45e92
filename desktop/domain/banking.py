"""Bank identifiers: IBAN, BIC and the SEPA creditor identifier (ICS).

IBAN and BIC checks are delegated to schwifty (country formats, IBAN check
digits, national keys such as the French RIB key). The creditor identifier
(EPC262-08, "Creditor Identifier") has no library: its two check digits are
ISO 7064 MOD 97-10 over the national identifier followed by the country
code, the 3-character business code (positions 5-7, "ZZZ" by default) being
left out. Published examples: ``FR72ZZZ123456``, ``DE98ZZZ09999999999``.
"""

from __future__ import annotations

import string

from schwifty import BIC, IBAN
from schwifty import exceptions as iban_errors
from schwifty.registry import get_iban_spec
from stdnum.iso7064 import mod_97_10

from desktop.domain.errors import InvalidValue, quote_char

_ASCII_ALNUM = frozenset(string.ascii_letters + string.digits)
# Separators users type or paste between groups (whitespace is handled apart).
_SEPARATORS = frozenset(".-\u2010\u2011\u2012\u2013\u2014\u2212")

IBAN_MAX_LENGTH = 34
CREDITOR_ID_MAX_LENGTH = 35
FRENCH_CREDITOR_ID_LENGTH = 13
"""FR + 2 check digits + 3-character business code + 6-character national number."""


def _compact(value: str, label: str) -> str:
    """``value`` without spaces and separators; only ASCII letters and digits may remain.

    Checked before upper-casing: "ß".upper() == "SS" must not sneak in.
    """
    text = "".join(c for c in value if not c.isspace() and c not in _SEPARATORS)
    bad = next((c for c in text if c not in _ASCII_ALNUM), None)
    if bad is not None:
        raise InvalidValue(f"{label} contient un caractère non autorisé : {quote_char(bad)}.")
    return text.upper()


def _country_prefix(text: str, label: str, example: str) -> str:
    prefix = text[:2]
    if len(prefix) < 2 or not prefix.isalpha():
        raise InvalidValue(f"{label} doit commencer par le code du pays ({example}).")
    return prefix


# --- IBAN -------------------------------------------------------------------------------


def normalize_iban(value: str) -> str:
    """Return an IBAN compact and upper-case (``FR7630006000011234567890189``).

    Checks the country's length and format, the IBAN check digits and, where
    schwifty knows it, the national key (the RIB key of a French account).
    """
    text = _compact(value, "L'IBAN")
    if not text:
        raise InvalidValue("L'IBAN est obligatoire.")
    country = _country_prefix(text, "L'IBAN", "FR76…")
    if len(text) > IBAN_MAX_LENGTH:
        raise InvalidValue(
            f"Un IBAN comporte au plus {IBAN_MAX_LENGTH} caractères ({len(text)} saisis)."
        )
    try:
        expected_length = get_iban_spec(country).iban_length
    except (iban_errors.SchwiftyException, LookupError):
        raise InvalidValue(
            f"Code pays « {country} » inconnu : un IBAN commence par le code d'un pays "
            "qui utilise l'IBAN (FR, DE, BE…)."
        ) from None
    if len(text) != expected_length:
        raise InvalidValue(
            f"Un IBAN {country} comporte {expected_length} caractères ({len(text)} saisis)."
        )
    if not text[2:4].isdigit():
        raise InvalidValue("Les caractères 3 et 4 de l'IBAN sont sa clé : deux chiffres.")
    try:
        iban = IBAN(text, validate_bban=True)
    except iban_errors.InvalidChecksumDigits:
        raise InvalidValue("Clé de contrôle de l'IBAN invalide : vérifiez la saisie.") from None
    except iban_errors.InvalidBBANChecksum:
        what = "Clé RIB" if country in _RIB_COUNTRIES else "Clé de contrôle nationale"
        raise InvalidValue(f"{what} du compte invalide : vérifiez la saisie de l'IBAN.") from None
    except (iban_errors.SchwiftyException, ValueError, LookupError):
        raise InvalidValue(
            f"Format de l'IBAN invalide pour le pays {country} : vérifiez la saisie."
        ) from None
    return str(iban.compact)


# IBAN countries whose national key is the French RIB key (France, Monaco, overseas).
_RIB_COUNTRIES = frozenset({"FR", "MC", "GF", "GP", "MQ", "RE", "PF", "TF", "YT", "NC", "PM", "WF"})


def format_iban(iban: str) -> str:
    """A compact IBAN in groups of four, as printed: ``FR76 3000 6000 0112 …``."""
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def iban_country(iban: str) -> str:
    """The country code of a (normalised) IBAN."""
    return iban[:2]


# --- BIC --------------------------------------------------------------------------------


def mask_iban(iban: str) -> str:
    """« FR7630006000011234567890189 » → « FR*********************0189 » (same length)."""
    compact = iban.replace(" ", "")
    if len(compact) <= 6:
        return "*" * len(compact)
    return compact[:2] + "*" * (len(compact) - 6) + compact[-4:]


def normalize_bic(value: str) -> str:
    """Return a BIC upper-case, 8 or 11 characters (``BNPAFRPP``, ``CMBRFR2BARK``)."""
    text = _compact(value, "Le BIC")
    if not text:
        raise InvalidValue("Le BIC est obligatoire.")
    if len(text) not in (8, 11):
        raise InvalidValue(f"Le BIC comporte 8 ou 11 caractères ({len(text)} saisis).")
    if not text[4:6].isalpha():
        raise InvalidValue(
            "Les caractères 5 et 6 du BIC sont le code du pays de la banque (par exemple FR)."
        )
    try:
        bic = BIC(text)
    except iban_errors.InvalidCountryCode:
        raise InvalidValue(
            f"Code pays « {text[4:6]} » inconnu dans le BIC (caractères 5 et 6)."
        ) from None
    except (iban_errors.SchwiftyException, ValueError, LookupError):
        raise InvalidValue("Format du BIC invalide : vérifiez la saisie.") from None
    return str(bic.compact)


# --- SEPA creditor identifier -----------------------------------------------------------


def creditor_check_digits(country: str, national_id: str) -> str:
    """The two check digits of a creditor identifier (business code excluded)."""
    return str(mod_97_10.calc_check_digits(national_id.upper() + country.upper()))


def normalize_creditor_identifier(value: str) -> str:
    """Return a SEPA creditor identifier (ICS) compact and upper-case.

    Form: country (2 letters), check digits (2), business code (3 letters or
    digits, "ZZZ" unless the creditor chose one), national identifier. A
    French one is 13 characters: ``FRkkZZZnnnnnn``.
    """
    text = _compact(value, "L'identifiant créancier SEPA")
    if not text:
        raise InvalidValue("L'identifiant créancier SEPA (ICS) est obligatoire.")
    country = _country_prefix(text, "L'identifiant créancier SEPA", "FR…")
    if country == "FR" and len(text) != FRENCH_CREDITOR_ID_LENGTH:
        raise InvalidValue(
            f"Un identifiant créancier SEPA français comporte {FRENCH_CREDITOR_ID_LENGTH} "
            f"caractères, sous la forme FRkkZZZnnnnnn ({len(text)} saisis)."
        )
    if len(text) > CREDITOR_ID_MAX_LENGTH:
        raise InvalidValue(
            f"Un identifiant créancier SEPA comporte au plus {CREDITOR_ID_MAX_LENGTH} "
            f"caractères ({len(text)} saisis)."
        )
    if len(text) < 8:
        raise InvalidValue(
            "L'identifiant créancier SEPA est incomplet : pays, clé, code activité (ZZZ) "
            "puis numéro national."
        )
    check, national = text[2:4], text[7:]
    if not check.isdigit():
        raise InvalidValue(
            "Les caractères 3 et 4 de l'identifiant créancier SEPA sont sa clé : deux chiffres."
        )
    if check != creditor_check_digits(country, national):
        raise InvalidValue(
            "Clé de contrôle de l'identifiant créancier SEPA invalide : vérifiez la saisie."
        )
    return text
