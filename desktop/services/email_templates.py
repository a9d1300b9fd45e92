"""French email templates (``resources/emails/NAME.txt``) and their rendering.

A template file starts with ``Objet : …``, then a blank line, then the body;
fields are ``${name}`` (:class:`string.Template`). Values are formatted the
French way: ``Decimal`` → ``1 234,56 €``, ``date`` → ``22/11/2026``,
``datetime`` → Paris time, a list or tuple → comma-separated.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from string import Template

from desktop.documents.french import french_date, french_datetime, french_money
from desktop.paths import resources_dir

DUNNING_REMINDER = "dunning_reminder"
SUSPENSION_NOTICE = "suspension_notice"
DELETION_NOTICE = "deletion_notice"
INVOICE = "invoice"
CREDIT_NOTE = "credit_note"
QUOTE = "quote"
TEMPLATES = (DUNNING_REMINDER, SUSPENSION_NOTICE, DELETION_NOTICE, INVOICE, CREDIT_NOTE, QUOTE)

SUBJECT_PREFIX = "Objet :"


class TemplateError(ValueError):
    """A template is unknown, malformed, or a field it needs was not given."""


def templates_dir() -> Path:
    return resources_dir() / "emails"


@cache
def _load(name: str) -> tuple[Template, Template]:
    if name not in TEMPLATES:
        raise TemplateError(f"unknown email template {name!r} (known: {', '.join(TEMPLATES)})")
    path = templates_dir() / f"{name}.txt"
    text = path.read_text(encoding="utf-8")
    first, _, body = text.partition("\n")
    if not first.startswith(SUBJECT_PREFIX):
        raise TemplateError(f"{path}: the first line must start with {SUBJECT_PREFIX!r}")
    subject = first.removeprefix(SUBJECT_PREFIX).strip()
    return Template(subject), Template(body.lstrip("\n"))


def fields_of(name: str) -> frozenset[str]:
    """The field names a template uses."""
    subject, body = _load(name)
    return frozenset(subject.get_identifiers()) | frozenset(body.get_identifiers())


def format_value(value: object) -> str:
    if isinstance(value, Decimal):
        return french_money(value)
    if isinstance(value, datetime):
        return french_datetime(value)
    if isinstance(value, date):
        return french_date(value)
    if isinstance(value, str):
        return value
    if isinstance(value, Iterable):
        return ", ".join(format_value(item) for item in value)
    return str(value)


def render(template_name: str, **fields: object) -> tuple[str, str]:
    """(subject, body) of the template filled with ``fields``; TemplateError if one is missing."""
    subject, body = _load(template_name)
    missing = sorted(fields_of(template_name) - fields.keys())
    if missing:
        raise TemplateError(
            f"email template {template_name!r}: missing field(s) {', '.join(missing)}"
        )
    values = {key: format_value(value) for key, value in fields.items()}
    return " ".join(subject.substitute(values).split()), body.substitute(values)
