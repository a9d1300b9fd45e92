"""Domain names: IDNA 2008 + UTS 46 normalisation to lower-case A-labels.

Every failure is reported as an InvalidValue with a French message; no exception of
the ``idna`` package (IDNAError, UnicodeError…) ever escapes.
"""

from __future__ import annotations

import ipaddress
import string
import unicodedata
from collections.abc import Iterable

import idna
from idna.idnadata import codepoint_classes
from idna.intranges import intranges_contain

from desktop.domain.errors import InvalidValue, quote_char

DEFAULT_REFUSED_TLDS: tuple[str, ...] = ("tel",)
"""Provider setting default: ``.tel`` domains cannot host the e-mail service."""

MAX_LABEL_LENGTH = 63
MAX_NAME_LENGTH = 253
A_LABEL_PREFIX = "xn--"

_LDH = frozenset(string.ascii_lowercase + string.digits + "-")
_IDNA_CLASSES = ("PVALID", "CONTEXTJ", "CONTEXTO")
# Everything idna may raise (IDNAError is a UnicodeError, itself a ValueError).
_IDNA_FAILURES = (UnicodeError, ValueError, IndexError, OverflowError)

_MSG_EMPTY = "Le nom de domaine est obligatoire."


def _excerpt(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _label_error(label: str, reason: str) -> InvalidValue:
    return InvalidValue(f"La partie « {_excerpt(label)} » du nom de domaine {reason}")


def _char_error(char: str) -> InvalidValue:
    return InvalidValue(
        f"Caractère {quote_char(char)} non autorisé dans un nom de domaine "
        "(lettres, chiffres et tirets uniquement)."
    )


def _is_ip_address(text: str) -> bool:
    candidate = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    candidate = candidate.removesuffix(".")
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return False
    return True


def _check_shape(text: str) -> None:
    """Reject obvious non-domain input with a targeted message."""
    if any(c.isspace() for c in text):
        raise InvalidValue("Le nom de domaine ne doit pas contenir d'espace.")
    if "@" in text:
        raise InvalidValue(
            "Saisissez uniquement le nom de domaine, sans « @ » (par exemple exemple.fr)."
        )
    if "/" in text:
        raise InvalidValue(
            "Saisissez uniquement le nom de domaine, sans « https:// » ni « / » "
            "(par exemple exemple.fr)."
        )


def _uts46_map(text: str) -> str:
    """Apply the UTS 46 mapping (case folding, width, dots…), naming a refused character."""
    try:
        return idna.uts46_remap(text, std3_rules=False, transitional=False)
    except _IDNA_FAILURES:
        pass
    for char in text:
        try:
            idna.uts46_remap(char, std3_rules=False, transitional=False)
        except _IDNA_FAILURES:
            raise _char_error(char) from None
    raise InvalidValue("Le nom de domaine contient des caractères non autorisés.")


def _split_labels(mapped: str) -> list[str]:
    name = mapped.removesuffix(".")
    if not name:
        raise InvalidValue(_MSG_EMPTY)
    labels = name.split(".")
    if not labels[0]:
        raise InvalidValue("Le nom de domaine ne doit pas commencer par un point.")
    if "" in labels:
        raise InvalidValue("Le nom de domaine ne doit pas contenir deux points consécutifs.")
    return labels


def _check_hyphens(label: str) -> None:
    if label.startswith("-") or label.endswith("-"):
        raise _label_error(label, "ne peut ni commencer ni se terminer par un tiret.")
    if label[2:4] == "--" and not label.startswith(A_LABEL_PREFIX):
        raise _label_error(
            label, "ne peut pas avoir des tirets en 3e et 4e positions (réservé à « xn-- »)."
        )


def _check_label_length(label: str, a_label: str) -> None:
    if len(a_label) > MAX_LABEL_LENGTH:
        raise _label_error(label, f"dépasse {MAX_LABEL_LENGTH} caractères.")


def _ascii_label(label: str) -> str:
    """Validate an ASCII label (possibly an A-label ``xn--…``)."""
    bad = next((c for c in label if c not in _LDH), None)
    if bad is not None:
        raise _char_error(bad)
    _check_label_length(label, label)
    _check_hyphens(label)
    if label.startswith(A_LABEL_PREFIX) and not _is_canonical_a_label(label):
        raise _label_error(label, "n'est pas un libellé internationalisé (xn--) valide.")
    return label


def _is_canonical_a_label(label: str) -> bool:
    """True if the A-label decodes to a valid U-label that encodes back to itself."""
    try:
        u_label = idna.ulabel(label)
        return u_label != label and idna.alabel(u_label).decode("ascii") == label
    except _IDNA_FAILURES:
        return False


def _is_idna_char(char: str) -> bool:
    return any(intranges_contain(ord(char), codepoint_classes[name]) for name in _IDNA_CLASSES)


def _unicode_label(label: str) -> str:
    """Validate a U-label and return its A-label."""
    bad = next((c for c in label if not (c in _LDH if c.isascii() else _is_idna_char(c))), None)
    if bad is not None:
        raise _char_error(bad)
    _check_hyphens(label)
    if unicodedata.category(label[0])[0] == "M":
        raise _label_error(label, "ne peut pas commencer par un signe diacritique isolé.")
    try:
        punycode = A_LABEL_PREFIX + label.encode("punycode").decode("ascii")
    except _IDNA_FAILURES:
        punycode = ""
    _check_label_length(label, punycode)
    try:
        return idna.alabel(label).decode("ascii")
    except _IDNA_FAILURES:
        raise _label_error(
            label, "ne respecte pas les règles des noms de domaine internationalisés (IDNA)."
        ) from None


def _to_a_labels(value: str) -> list[str]:
    text = value.strip()
    if not text:
        raise InvalidValue(_MSG_EMPTY)
    _check_shape(text)
    mapped = _uts46_map(text)
    if _is_ip_address(text) or _is_ip_address(mapped):
        raise InvalidValue(f"« {_excerpt(text)} » est une adresse IP, pas un nom de domaine.")
    labels = _split_labels(mapped)
    return [_ascii_label(lb) if lb.isascii() else _unicode_label(lb) for lb in labels]


def _check_whole_name(labels: list[str]) -> str:
    if len(labels) < 2:
        raise InvalidValue(
            f"Extension manquante : « {_excerpt(labels[0])} » n'est pas un nom de domaine "
            "complet (par exemple exemple.fr)."
        )
    tld = labels[-1]
    if tld.isdigit():
        raise InvalidValue(
            f"L'extension « .{_excerpt(tld)} » n'est pas valide : "
            "elle ne peut pas être uniquement numérique."
        )
    name = ".".join(labels)
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidValue(
            f"Le nom de domaine est trop long ({len(name)} caractères une fois encodé, "
            f"{MAX_NAME_LENGTH} au maximum)."
        )
    try:
        agreed = idna.encode(name).decode("ascii") == name
    except _IDNA_FAILURES:
        agreed = False
    if not agreed:
        raise InvalidValue("Le nom de domaine n'est pas valide.")
    return name


def _normalize_tld(entry: str) -> str:
    tld = entry.strip().lower().lstrip(".").removesuffix(".")
    try:
        return idna.encode(tld, uts46=True).decode("ascii")
    except _IDNA_FAILURES:
        return tld


def normalize_domain_name(value: str, refused_tlds: Iterable[str] = DEFAULT_REFUSED_TLDS) -> str:
    """Return the lower-case A-label form of a domain name (``Café.FR.`` → ``xn--caf-dma.fr``).

    ``refused_tlds`` lists extensions the service cannot use, with or without leading dot.
    """
    name = _check_whole_name(_to_a_labels(value))
    tld = name.rsplit(".", 1)[1]
    if tld in {_normalize_tld(entry) for entry in refused_tlds}:
        raise InvalidValue(
            f"L'extension « .{display_domain_name(tld)} » n'est pas compatible "
            "avec le service de messagerie."
        )
    return name


def display_domain_name(a_label: str) -> str:
    """Return the Unicode form of a domain name for display, or the input if undecodable."""
    try:
        return idna.decode(a_label)
    except _IDNA_FAILURES:
        return a_label
