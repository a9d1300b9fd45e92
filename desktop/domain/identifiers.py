"""French company identifiers (SIREN, SIRET), intra-EU VAT numbers and postcodes.

Checksums are delegated to python-stdnum, which also knows the special rule of
La Poste's SIRET numbers (digit sum multiple of 5 instead of the Luhn key).
"""

from __future__ import annotations

import string

from stdnum.eu import vat as eu_vat
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.fr import tva as fr_tva

from desktop.domain.errors import InvalidValue, quote_char

SIREN_LENGTH = 9
SIRET_LENGTH = 14

# Separators users type or paste inside identifiers (whitespace is handled apart).
_SEPARATORS = frozenset(".-\u2010\u2011\u2012\u2013\u2014\u2212")
_ASCII_ALNUM = frozenset(string.ascii_letters + string.digits)

# VAT prefixes of the EU member states ("EL" for Greece) and Northern Ireland ("XI").
VAT_COUNTRY_PREFIXES: frozenset[str] = frozenset(
    {
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI",
    }
)  # fmt: skip


def _compact(value: str) -> str:
    """Remove whitespace (any kind) and the usual separators."""
    return "".join(c for c in value if not c.isspace() and c not in _SEPARATORS)


def _is_ascii_digits(value: str) -> bool:
    return value.isascii() and value.isdigit()


def _first_non_digit(value: str) -> str | None:
    return next((c for c in value if not ("0" <= c <= "9")), None)


def _digits_only(value: str, label: str, length: int) -> str:
    """Compact ``value`` and check it is exactly ``length`` ASCII digits."""
    number = _compact(value)
    if not number:
        raise InvalidValue(f"Le {label} est obligatoire.")
    bad = _first_non_digit(number)
    if bad is not None:
        raise InvalidValue(
            f"Le {label} doit comporter {length} chiffres : "
            f"caractère {quote_char(bad)} non autorisé."
        )
    if len(number) != length:
        raise InvalidValue(
            f"Le {label} doit comporter {length} chiffres ({len(number)} chiffres saisis)."
        )
    return number


def normalize_siren(value: str) -> str:
    """Return the 9 digits of a SIREN; spaces, dots and dashes are accepted."""
    number = _digits_only(value, "SIREN", SIREN_LENGTH)
    if not fr_siren.is_valid(number):
        raise InvalidValue("Clé de contrôle du SIREN invalide.")
    return number


def normalize_siret(value: str, siren: str | None = None) -> str:
    """Return the 14 digits of a SIRET; if ``siren`` is given the SIRET must start with it."""
    number = _digits_only(value, "SIRET", SIRET_LENGTH)
    if siren is not None:
        expected = _compact(siren)
        if not number.startswith(expected):
            raise InvalidValue(f"Le SIRET doit commencer par le SIREN {expected}.")
    if not fr_siren.is_valid(number[:SIREN_LENGTH]):
        raise InvalidValue("Les 9 premiers chiffres du SIRET ne forment pas un SIREN valide.")
    if not fr_siret.is_valid(number):
        raise InvalidValue("Clé de contrôle du SIRET invalide.")
    return number


def _french_vat_key(siren: str) -> int:
    return (12 + 3 * (int(siren) % 97)) % 97


def french_vat_number(siren: str) -> str:
    """Compute the French VAT number FR + 2-digit key + SIREN of a (valid) SIREN."""
    number = normalize_siren(siren)
    result = f"FR{_french_vat_key(number):02d}{number}"
    if not (fr_tva.is_valid(result) and eu_vat.is_valid(result)):
        # Cannot happen with a valid SIREN; kept as a guard against a formula mistake.
        raise InvalidValue(f"Impossible de calculer le n° de TVA du SIREN {number}.")
    return result


def _check_vat_prefix(number: str) -> str:
    prefix = number[:2]
    if len(prefix) < 2 or not (prefix.isascii() and prefix.isalpha()):
        raise InvalidValue("Le n° de TVA doit commencer par le code du pays (par exemple FR).")
    if prefix == "GR":
        raise InvalidValue("Pour la Grèce, le n° de TVA commence par « EL » (et non « GR »).")
    if prefix not in VAT_COUNTRY_PREFIXES:
        raise InvalidValue(
            f"Code pays « {prefix} » inconnu : un n° de TVA intracommunautaire commence par "
            "le code d'un pays de l'Union européenne (FR, DE, BE…)."
        )
    return prefix


def _expected_for_siren(siren: str) -> str | None:
    """The French VAT number of ``siren``, or None if ``siren`` itself is invalid."""
    try:
        return french_vat_number(siren)
    except InvalidValue:
        return None


def normalize_vat_number(value: str, siren: str | None = None) -> str:
    """Return an intra-EU VAT number, upper-case and compact (e.g. ``FR03552081317``).

    For a French number, when ``siren`` is given, the number must be FR + key + that SIREN.
    """
    raw = _compact(value)
    if not raw:
        raise InvalidValue("Le n° de TVA est obligatoire.")
    # Checked before upper-casing: "ß".upper() == "SS" must not sneak in.
    bad = next((c for c in raw if c not in _ASCII_ALNUM), None)
    if bad is not None:
        raise InvalidValue(f"Le n° de TVA contient un caractère non autorisé : {quote_char(bad)}.")
    number = raw.upper()
    prefix = _check_vat_prefix(number)
    if len(number) == len(prefix):
        raise InvalidValue("Le n° de TVA est incomplet : il manque le numéro après le code pays.")
    expected: str | None = None
    if prefix == "FR" and siren is not None:
        compact_siren = _compact(siren)
        expected = _expected_for_siren(compact_siren)
        if number[4:] != compact_siren:
            hint = f" (attendu : {expected})" if expected else ""
            raise InvalidValue(f"Le n° de TVA ne correspond pas au SIREN {compact_siren}{hint}.")
    return _validate_vat(number, prefix, expected)


def _validate_vat(number: str, prefix: str, expected: str | None) -> str:
    if prefix == "FR":
        body = number[2:]
        if len(body) == 11 and _is_ascii_digits(body[2:]) and body[2:5] != "000":
            if not fr_siren.is_valid(body[2:]):
                raise InvalidValue("Le SIREN contenu dans le n° de TVA est invalide.")
    try:
        result = eu_vat.validate(number)
    except InvalidChecksum:
        hint = f" (attendu : {expected})" if expected else ""
        raise InvalidValue(f"Clé de contrôle du n° de TVA invalide{hint}.") from None
    except InvalidLength:
        raise InvalidValue(
            f"Le n° de TVA n'a pas la bonne longueur pour le code pays {prefix}."
        ) from None
    except InvalidFormat:
        raise InvalidValue(f"Format du n° de TVA invalide pour le code pays {prefix}.") from None
    except (StdnumError, ValueError, LookupError):
        # InvalidComponent, or an unexpected failure inside a country module.
        raise InvalidValue(f"N° de TVA invalide pour le code pays {prefix}.") from None
    return str(result)


def normalize_postcode(value: str, country: str = "FR") -> str:
    """Return a postcode: 5 digits for France, 1–10 letters/digits/spaces/dashes elsewhere."""
    if country.strip().upper() == "FR":
        return _french_postcode(value)
    return _foreign_postcode(value)


def _french_postcode(value: str) -> str:
    code = "".join(value.split())
    if not code:
        raise InvalidValue("Le code postal est obligatoire.")
    if len(code) != 5 or not _is_ascii_digits(code):
        raise InvalidValue("Le code postal doit comporter 5 chiffres.")
    if code.startswith(("00", "99")):
        raise InvalidValue(
            f"Le code postal « {code} » n'existe pas : il ne peut pas commencer par 00 ni par 99."
        )
    return code


_FOREIGN_POSTCODE_CHARS = frozenset(string.ascii_letters + string.digits + " -")


def _foreign_postcode(value: str) -> str:
    code = " ".join(value.split())
    if not code:
        raise InvalidValue("Le code postal est obligatoire.")
    # Checked before upper-casing: "ß".upper() == "SS" must not sneak in.
    bad = next((c for c in code if c not in _FOREIGN_POSTCODE_CHARS), None)
    if bad is not None:
        raise InvalidValue(f"Caractère {quote_char(bad)} non autorisé dans le code postal.")
    code = code.upper()
    if len(code) > 10:
        raise InvalidValue("Le code postal ne doit pas dépasser 10 caractères.")
    if not any(c.isalnum() for c in code):
        raise InvalidValue("Le code postal doit contenir au moins une lettre ou un chiffre.")
    return code
