"""The DNS values of each product line that the instruction sheets print (rules §2).

Each product line has default values (:data:`desktop.domain.dns_records.DEFAULTS`);
staff may override any of them (``product_line.dns_*``), an empty value going back
to the default (NULL). Validation is pure (:func:`check_dns_values` needs no
database), so that a form shows while the user types the very messages the save
would give; the save re-validates and writes under optimistic locking.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute

from desktop.db.engine import Database
from desktop.db.models import ProductLine
from desktop.domain.clock import utc_now
from desktop.domain.dns_records import (
    DEFAULTS,
    MAX_MX_PRIORITY,
    DnsDefaults,
    DnsRecord,
    check_mx_priority,
    check_spf,
    check_template,
    records_for,
)
from desktop.domain.enums import ProductLineCode
from desktop.domain.errors import collect
from desktop.domain.roles import Permission
from desktop.services.access import requires
from desktop.services.conflicts import Noun, Target, load_for_update, write_scope
from desktop.services.fields import raise_if_any, text_field

PRODUCT_LINE = Noun("Cette gamme", feminine=True)

DNS_FIELDS = ("mx", "mx_priority", "autodiscover", "spf")
"""The keys of a DNS values form, and of the errors of its ValidationError."""

PREVIEW_DOMAIN = "exemple.fr"

PRIORITY_EXPECTED = f"La priorité MX est un nombre entier de 0 à {MAX_MX_PRIORITY}."

_INTEGER = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True)
class DnsValues:
    """The DNS values of one product line; None: the line's default."""

    mx: str | None = None
    mx_priority: int | None = None
    autodiscover: str | None = None
    spf: str | None = None


@dataclass(frozen=True, kw_only=True)
class DnsSettings:
    """One product line's DNS values as stored, its defaults and its optimistic-lock version."""

    id: int
    code: ProductLineCode
    name: str
    version: int
    values: DnsValues
    """As stored: None is the default."""
    defaults: DnsDefaults
    """What applies where a value is None (shown as placeholders)."""
    updated_at: datetime
    updated_by: str | None

    def records(self, domain_a_label: str = PREVIEW_DOMAIN) -> tuple[DnsRecord, ...]:
        """The records these values give for a domain."""
        return preview_records(self.code, self.values, domain_a_label)


# --- use cases --------------------------------------------------------------------------


def dns_settings(db: Database) -> list[DnsSettings]:
    """Every product line's DNS values, Hosted Exchange first."""
    with db.read_session() as session:
        lines = session.execute(sa.select(ProductLine)).scalars()
        order = list(ProductLineCode)
        return [_settings(line) for line in sorted(lines, key=lambda line: order.index(line.code))]


@requires(Permission.SETTINGS)
def save_dns_settings(
    db: Database,
    product_line_id: int,
    *,
    mx: str | None,
    mx_priority: int | str | None,
    autodiscover: str | None,
    spf: str | None,
    expected_version: int,
    actor: str,
) -> DnsSettings:
    """Store the DNS values of a product line; empty text is the line's default.

    Raises ValidationError with every field error at once (nothing written), or
    ConflictError when another desktop changed the line since it was read.
    """
    values = validate_dns_values(mx=mx, mx_priority=mx_priority, autodiscover=autodiscover, spf=spf)
    target = Target(PRODUCT_LINE, ProductLine, product_line_id)
    with write_scope(db, target=target) as session:
        line = load_for_update(session, target, expected_version)
        if _values(line) != values:
            line.dns_mx = values.mx
            line.dns_mx_priority = values.mx_priority
            line.dns_autodiscover = values.autodiscover
            line.dns_spf = values.spf
            line.updated_by = actor
            line.updated_at = utc_now()
            session.flush()
        return _settings(line)


# --- validation -------------------------------------------------------------------------


def check_dns_values(
    *,
    mx: str | None,
    mx_priority: int | str | None,
    autodiscover: str | None,
    spf: str | None,
) -> tuple[DnsValues, dict[str, str]]:
    """The values to store (None: the default) and every error (field → French message)."""
    errors: dict[str, str] = {}
    values = DnsValues(
        mx=_template(errors, "mx", mx, ProductLine.dns_mx, check_template),
        mx_priority=_priority(errors, mx_priority),
        autodiscover=_template(
            errors, "autodiscover", autodiscover, ProductLine.dns_autodiscover, check_template
        ),
        spf=_template(errors, "spf", spf, ProductLine.dns_spf, check_spf),
    )
    return values, errors


def validate_dns_values(
    *,
    mx: str | None,
    mx_priority: int | str | None,
    autodiscover: str | None,
    spf: str | None,
) -> DnsValues:
    """The values to store, or ValidationError with every error at once."""
    values, errors = check_dns_values(
        mx=mx, mx_priority=mx_priority, autodiscover=autodiscover, spf=spf
    )
    raise_if_any(errors)
    return values


def preview_records(
    code: ProductLineCode, values: DnsValues, domain_a_label: str = PREVIEW_DOMAIN
) -> tuple[DnsRecord, ...]:
    """The records that checked ``values`` of a ``code`` line give for a domain."""
    return records_for(
        code,
        domain_a_label,
        mx=values.mx,
        mx_priority=values.mx_priority,
        autodiscover=values.autodiscover,
        spf=values.spf,
    )


def _template(
    errors: dict[str, str],
    field: str,
    value: str | None,
    column: QueryableAttribute[Any],
    check: Callable[[str], str],
) -> str | None:
    text = text_field(errors, field, value, column)
    if text is None or field in errors:
        return None
    return collect(errors, field, partial(check, text))


def _priority(errors: dict[str, str], value: int | str | None) -> int | None:
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if _INTEGER.fullmatch(text) is None:
            errors["mx_priority"] = PRIORITY_EXPECTED
            return None
        value = int(text)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors["mx_priority"] = PRIORITY_EXPECTED
        return None
    return collect(errors, "mx_priority", partial(check_mx_priority, value))


# --- reading ----------------------------------------------------------------------------


_SAME_NAMES = ("id", "code", "name", "version", "updated_at", "updated_by")
"""The fields of DnsSettings that are columns of the same name."""


def _values(line: ProductLine) -> DnsValues:
    return DnsValues(line.dns_mx, line.dns_mx_priority, line.dns_autodiscover, line.dns_spf)


def _settings(line: ProductLine) -> DnsSettings:
    columns = {name: getattr(line, name) for name in _SAME_NAMES}
    return DnsSettings(**columns, values=_values(line), defaults=DEFAULTS[line.code])
