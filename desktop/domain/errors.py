"""Validation exceptions shared by every normaliser of the domain layer."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar
from unicodedata import category

from desktop.errors import UserError

T = TypeVar("T")

FIELD_LABELS: dict[str, str] = {
    "siren": "SIREN",
    "siret": "SIRET",
    "vat_number": "N° de TVA",
    "billing_email": "E-mail de facturation",
    "email": "E-mail",
    "name": "Nom",
    "code": "Code",
    "domain_name": "Nom de domaine",
    "local_part": "Adresse (partie locale)",
    "postcode": "Code postal",
    "plan": "Formule",
    "contract": "Contrat",
    "kind": "Type",
    "phone": "Téléphone",
    "country": "Pays",
    "city": "Ville",
    "display_name": "Nom affiché",
    "quota_gb": "Quota (Go)",
}


def field_label(field: str) -> str:
    """French label of a field name, or the raw name when it is unknown."""
    return FIELD_LABELS.get(field, field)


def quote_char(char: str) -> str:
    """Show one character between French quotes; invisible ones as their code point."""
    if char.isprintable() and not char.isspace() and category(char)[0] != "M":
        return f"« {char} »"
    return f"« U+{ord(char):04X} »"


class InvalidValue(ValueError):
    """A single value is invalid; ``message`` says why, in French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message: str = message

    def __str__(self) -> str:
        return self.message


class ValidationError(UserError):
    """Several fields are invalid: ``errors`` maps field names to French messages.

    ``message`` (and ``str()``) joins them as one line, for the command line.
    """

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors: dict[str, str] = dict(errors)
        super().__init__(
            " ; ".join(f"{field_label(field)} : {text}" for field, text in self.errors.items())
            or "Données invalides."
        )

    def __reduce__(self) -> tuple[type[ValidationError], tuple[dict[str, str]]]:
        return type(self), (self.errors,)


def collect(errors: dict[str, str], field: str, fn: Callable[[], T]) -> T | None:
    """Run ``fn``; on InvalidValue record its message under ``field`` and return None.

    Only the first error of a field is kept, so that the user sees the root cause.
    """
    try:
        return fn()
    except InvalidValue as exc:
        errors.setdefault(field, exc.message)
        return None
