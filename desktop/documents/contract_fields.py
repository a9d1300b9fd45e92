"""The values a contract template may quote, by placeholder name, as French text.

``{provider.…}``: name, legal_form, share_capital, address, siren, rcs_city,
vat_number, phone, email, website, dunning_reminder_days,
dunning_deletion_hours, renewal_floor_percent, dispute_days,
support_opens_at, support_closes_at, restoration_target_hours,
equipment_replacement_hours, availability_target.

``{client.…}``: name, code, kind, legal_form, address, siren, siret,
vat_number, billing_email, administrator, administrator_email.

``{contract.…}``: number, product_line, initial_months, renewal_months,
ordered_on, signed_on, service_start, payment_method, consumer_waiver_on,
accounts, monthly_total, max_message_mb.

A value the record lacks reads as a phrase that fits the sentence (« à la
date de mise en service ») or as blanks to fill in by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from desktop.documents.french import (
    NBSP,
    french_int,
    french_long_date,
    french_money,
    french_percent,
    french_time,
    group_digits,
)
from desktop.services.contract_print import (
    ClientIdentity,
    ContractPrint,
    ContractTerms,
    ProviderIdentity,
)

BLANK_DATE = "____ / ____ / ________"
NOT_GIVEN = "non communiqué"


def template_values(doc: ContractPrint) -> dict[str, str]:
    """Every placeholder of the contract templates with its value for ``doc``."""
    values = {
        **_prefixed("provider", _provider(doc.provider)),
        **_prefixed("client", _client(doc.client)),
        **_prefixed("contract", _contract(doc.contract)),
    }
    values["contract.accounts"] = french_int(len(doc.accounts))
    values["contract.monthly_total"] = french_money(doc.monthly_total)
    values["contract.max_message_mb"] = french_int(doc.max_message_mb)
    return values


def _prefixed(prefix: str, values: dict[str, str]) -> dict[str, str]:
    return {f"{prefix}.{name}": value for name, value in values.items()}


def _or(value: str | None, fallback: str) -> str:
    return value if value else fallback


def _day(value: date | None, fallback: str, fmt: Callable[[date], str] = french_long_date) -> str:
    return fallback if value is None else fmt(value)


def _provider(p: ProviderIdentity) -> dict[str, str]:
    return {
        "name": p.name,
        "legal_form": p.legal_form,
        "share_capital": french_money(p.share_capital),
        "address": ", ".join(p.address.lines),
        "siren": group_digits(p.siren),
        "rcs_city": p.rcs_city,
        "vat_number": p.vat_number,
        "phone": _or(p.phone, NOT_GIVEN).replace(" ", NBSP),
        "email": _or(p.email, NOT_GIVEN),
        "website": _or(p.website, NOT_GIVEN),
        "dunning_reminder_days": french_int(p.dunning_reminder_days),
        "dunning_deletion_hours": french_int(p.dunning_deletion_hours),
        "renewal_floor_percent": french_percent(p.renewal_floor_percent),
        "dispute_days": french_int(p.dispute_days),
        "support_opens_at": french_time(p.support_opens_at),
        "support_closes_at": french_time(p.support_closes_at),
        "restoration_target_hours": french_int(p.restoration_target_hours),
        "equipment_replacement_hours": french_int(p.equipment_replacement_hours),
        "availability_target": french_percent(p.availability_target_percent),
    }


def _client(c: ClientIdentity) -> dict[str, str]:
    return {
        "name": c.name,
        "code": c.code,
        "kind": c.kind.label.lower(),
        "legal_form": _or(c.legal_form, ""),
        "address": _or(", ".join(c.address.lines), NOT_GIVEN),
        "siren": group_digits(c.siren) if c.siren else NOT_GIVEN,
        "siret": group_digits(c.siret) if c.siret else NOT_GIVEN,
        "vat_number": _or(c.vat_number, NOT_GIVEN),
        "billing_email": c.billing_email,
        "administrator": _or(c.administrator, "l'administrateur désigné par le client"),
        "administrator_email": _or(c.administrator_email, c.billing_email),
    }


def _contract(t: ContractTerms) -> dict[str, str]:
    return {
        "number": t.number,
        "product_line": t.product_line_name,
        "initial_months": french_int(t.initial_months),
        "renewal_months": french_int(t.renewal_months),
        "ordered_on": _day(t.ordered_on, BLANK_DATE),
        "signed_on": _day(t.signed_on, BLANK_DATE),
        "service_start": _day(t.service_start, "la date de mise en service"),
        "payment_method": _lower_first(t.payment_method_label or "le mode convenu à la commande"),
        "consumer_waiver_on": _day(t.consumer_waiver_on, BLANK_DATE),
    }


def _lower_first(text: str) -> str:
    """« Prélèvement SEPA » → « prélèvement SEPA », inside a sentence."""
    return text[:1].lower() + text[1:]
