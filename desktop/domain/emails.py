"""E-mail addresses: syntax of third-party addresses and local parts of hosted mailboxes."""

from __future__ import annotations

import string

from email_validator import EmailNotValidError, validate_email

from desktop.domain.domain_names import display_domain_name, normalize_domain_name
from desktop.domain.errors import InvalidValue, quote_char

MAX_LOCAL_PART_LENGTH = 64
MAX_ADDRESS_LENGTH = 254

# RFC 5322 "atext" (unquoted local part), ASCII only: SMTPUTF8 is not accepted.
_ATEXT = frozenset(string.ascii_letters + string.digits + "!#$%&'*+-/=?^_`{|}~")
# Characters of the local parts the provider creates ("+" is kept for sub-addressing).
_MAILBOX_CHARS = frozenset(string.ascii_letters + string.digits + "._-")

_AT = "« @ »"


def _check_address_local_part(local: str) -> None:
    """Dot-atom syntax of the part before the @, with French messages."""
    if local.startswith('"'):
        raise InvalidValue("Les adresses e-mail entre guillemets ne sont pas acceptées.")
    bad = next((c for c in local if c not in _ATEXT and c != "."), None)
    if bad is not None:
        if not bad.isascii():
            raise InvalidValue(
                f"Caractère {quote_char(bad)} non autorisé avant le {_AT} : "
                "les caractères accentués ou non latins ne sont pas acceptés."
            )
        raise InvalidValue(f"Caractère {quote_char(bad)} non autorisé avant le {_AT}.")
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise InvalidValue(
            f"La partie avant le {_AT} ne peut ni commencer ni finir par un point, "
            "ni contenir deux points consécutifs."
        )
    if len(local) > MAX_LOCAL_PART_LENGTH:
        raise InvalidValue(
            f"La partie avant le {_AT} ne doit pas dépasser {MAX_LOCAL_PART_LENGTH} caractères."
        )


def _split_address(text: str) -> tuple[str, str]:
    if not text:
        raise InvalidValue("L'adresse e-mail est obligatoire.")
    if any(c.isspace() for c in text):
        raise InvalidValue("L'adresse e-mail ne doit pas contenir d'espace.")
    if "@" not in text:
        raise InvalidValue(
            f"L'adresse e-mail doit contenir un {_AT} (par exemple jean.dupont@exemple.fr)."
        )
    local, _, domain = text.rpartition("@")
    if not local:
        raise InvalidValue(f"Il manque la partie avant le {_AT} dans l'adresse e-mail.")
    if "@" in local and not local.startswith('"'):
        raise InvalidValue(f"L'adresse e-mail ne doit contenir qu'un seul {_AT}.")
    if not domain:
        raise InvalidValue(f"Il manque le nom de domaine après le {_AT} dans l'adresse e-mail.")
    return local, domain


def _address_domain(domain: str) -> str:
    if domain.startswith("["):
        raise InvalidValue(
            f"Une adresse IP entre crochets n'est pas acceptée après le {_AT} : "
            "indiquez un nom de domaine."
        )
    if domain.endswith("."):
        raise InvalidValue("L'adresse e-mail ne doit pas se terminer par un point.")
    try:
        return normalize_domain_name(domain, refused_tlds=())
    except InvalidValue as exc:
        raise InvalidValue(f"Nom de domaine de l'adresse e-mail invalide. {exc.message}") from None


def _french_message(english: str, domain: str) -> str:
    """Map email-validator's (English) messages to a few French categories."""
    text = english.lower()
    if "special-use" in text or "reserved" in text:
        return f"Le nom de domaine « {domain} » est réservé et ne peut pas recevoir d'e-mails."
    if "too long" in text:
        return "L'adresse e-mail est trop longue."
    if "before the @" in text:
        return f"La partie avant le {_AT} de l'adresse e-mail n'est pas valide."
    if "after the @" in text:
        return f"Le nom de domaine après le {_AT} n'est pas valide."
    return "Adresse e-mail invalide."


def normalize_email(value: str) -> str:
    """Return a syntactically valid address with its domain in lower-case A-label form.

    ``Jean.Dupont@Café.FR`` → ``Jean.Dupont@xn--caf-dma.fr`` (the local part keeps its case).
    No DNS query is made; quoted local parts, IP-literal domains and non-ASCII local parts
    are refused.
    """
    local, domain = _split_address(value.strip())
    _check_address_local_part(local)
    ascii_domain = _address_domain(domain)
    address = f"{local}@{ascii_domain}"
    if len(address) > MAX_ADDRESS_LENGTH:
        raise InvalidValue(
            f"L'adresse e-mail est trop longue ({len(address)} caractères, "
            f"{MAX_ADDRESS_LENGTH} au maximum)."
        )
    try:
        validated = validate_email(
            address,
            check_deliverability=False,
            allow_smtputf8=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
            allow_empty_local=False,
        )
    except EmailNotValidError as exc:
        raise InvalidValue(_french_message(str(exc), display_domain_name(ascii_domain))) from None
    return f"{validated.local_part}@{ascii_domain}"


def _check_mailbox_chars(text: str) -> None:
    if "@" in text:
        raise InvalidValue(
            f"Saisissez seulement la partie avant le {_AT} : "
            "le nom de domaine est ajouté automatiquement."
        )
    if any(c.isspace() for c in text):
        raise InvalidValue("La partie locale de l'adresse ne doit pas contenir d'espace.")
    if "+" in text:
        raise InvalidValue(
            "Le caractère « + » n'est pas autorisé dans la partie locale : "
            "il est réservé aux sous-adresses."
        )
    bad = next((c for c in text if c not in _MAILBOX_CHARS), None)
    if bad is not None:
        raise InvalidValue(
            f"Caractère {quote_char(bad)} non autorisé dans la partie locale : utilisez "
            "uniquement des lettres sans accent, des chiffres et les signes « . », « _ », « - »."
        )


def normalize_local_part(value: str) -> str:
    """Return the lower-case local part of a mailbox created by the provider (``jean.dupont``).

    Allowed: ASCII letters, digits, ``.``, ``_`` and ``-``; starts with a letter or a digit,
    no trailing dot, no ``..``, at most 64 characters.
    """
    text = value.strip()
    if not text:
        raise InvalidValue("La partie locale de l'adresse est obligatoire.")
    _check_mailbox_chars(text)
    if len(text) > MAX_LOCAL_PART_LENGTH:
        raise InvalidValue(
            f"La partie locale ne doit pas dépasser {MAX_LOCAL_PART_LENGTH} caractères "
            f"({len(text)} saisis)."
        )
    if not text[0].isalnum():
        raise InvalidValue("La partie locale doit commencer par une lettre ou un chiffre.")
    if text.endswith("."):
        raise InvalidValue("La partie locale ne doit pas se terminer par un point.")
    if ".." in text:
        raise InvalidValue("La partie locale ne doit pas contenir deux points consécutifs.")
    return text.lower()


def display_address(address: str) -> str:
    """A stored address (local@a-label) as people read it: local@unicode."""
    local, _, domain = address.partition("@")
    return mailbox_address(local, display_domain_name(domain))


def mailbox_address(local_part: str, domain_a_label: str) -> str:
    """Join an already normalised local part and domain: ``jean`` + ``exemple.fr``."""
    return f"{local_part}@{domain_a_label}"
