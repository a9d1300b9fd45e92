"""Validation exceptions shared by every normaliser of the domain layer."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TypeVar
from unicodedata import category

from desktop.errors import UserError

T = TypeVar("T")

FIELD_LABELS: dict[str, str] = {
    # clients
    "code": "Code",
    "kind": "Type",
    "name": "Nom",
    "legal_form": "Forme juridique",
    "siren": "SIREN",
    "siret": "SIRET",
    "vat_number": "N° de TVA",
    "address_line1": "Adresse",
    "address_line2": "Complément d'adresse",
    "postcode": "Code postal",
    "city": "Ville",
    "country": "Pays",
    "billing_email": "E-mail de facturation",
    "phone": "Téléphone",
    "payment_method": "Mode de paiement",
    "chorus_pro_id": "Identifiant Chorus Pro",
    "chorus_pro_service_code": "Code service Chorus Pro",
    "consumer_waiver_at": "Renonciation au droit de rétractation",
    "status": "Statut",
    "notes": "Notes",
    "contacts": "Contacts",
    # contacts (as ``contacts[i].<field>``), besides name and phone above
    "role": "Rôle",
    "email": "E-mail",
    "is_primary": "Principal",
    # staff accounts
    "login": "Identifiant",
    "full_name": "Nom complet",
    "password": "Mot de passe",
    "old_password": "Mot de passe actuel",
    "new_password": "Nouveau mot de passe",
    # domains
    "client_id": "Client",
    "domain_name": "Nom de domaine",
    "antispam_enabled": "Antispam",
    "admin_certified": "Certification de l'administrateur",
    # mailboxes
    "contract_id": "Contrat",
    "domain_id": "Domaine",
    "plan_id": "Formule",
    "local_part": "Adresse (partie locale)",
    "display_name": "Nom affiché",
    "quota_gb": "Quota (Go)",
    # contracts and lifecycle
    "reason": "Motif",
    "product_line_id": "Gamme",
    "ordered_on": "Date de commande",
    "signed_on": "Date de signature",
    "service_start": "Début du service",
    "initial_months": "Engagement initial (mois)",
    "renewal_months": "Renouvellement (mois)",
    "consumer_waiver_on": "Renonciation au droit de rétractation (date)",
    "signed_scan": "Copie signée",
    "effective": "Date d'effet",
    "monthly_fixed_fees": "Frais fixes mensuels",
    "asked_on": "Date de la demande",
    "on": "Date",
    "floor_exception": "Motif de la dérogation",
    # other forms
    "plan": "Formule",
    "contract": "Contrat",
    # provider (identity and settings)
    "share_capital": "Capital social",
    "rcs_city": "Ville du RCS",
    "website": "Site web",
    "iban": "IBAN",
    "bic": "BIC",
    "sepa_creditor_id": "Identifiant créancier SEPA (ICS)",
    "logo": "Logo",
    "logo_mime": "Type du logo",
    "default_vat_rate": "Taux de TVA par défaut",
    "payment_days": "Délai de paiement (jours)",
    "penalty_rate": "Taux des pénalités de retard",
    "refused_tlds": "Extensions refusées",
    # DNS records of the instruction sheets
    "mx": "Serveur MX",
    "mx_priority": "Priorité MX",
    "autodiscover": "Autodiscover (CNAME)",
    "spf": "SPF (TXT)",
    # catalogue
    "amount": "Montant",
    "valid_from": "Valable à partir du",
    "vat_rate": "Taux de TVA",
    "category": "Catégorie",
    "billing": "Facturation",
    "mailbox_kind": "Type de boîte",
    # invoices, payments, credit notes
    "paid_on": "Date du paiement",
    "reference": "Référence",
    "lines": "Lignes à créditer",
    "received_on": "Date de réception",
    # SEPA
    "collection_date": "Date de prélèvement",
    "debtor_name": "Titulaire du compte",
    "revoked_on": "Date de révocation",
    "rejected_on": "Date du rejet",
    "collected_on": "Date d'encaissement",
    "version": "Version",
    # failure notifications and service quality
    "received_at": "Reçu le",
    "acknowledged_at": "Pris en compte le",
    "restored_at": "Rétabli le",
    "channel": "Canal",
    "description": "Description",
    "cause": "Cause",
    "excusable_category": "Cause excusable",
    "equipment_found_at": "Panne constatée le",
    "mailbox_ids": "Boîtes concernées",
    "opens_at": "Ouverture du support",
    "closes_at": "Fermeture du support",
    "restoration_hours": "Objectif de rétablissement (heures de support)",
    "replacement_hours": "Objectif de remplacement d'équipement (heures)",
    "availability_target": "Objectif de disponibilité",
    "fixed_line_kinds": "Lignes comptées en frais fixes",
}
"""French label of each field name a validation error can be keyed by."""

ITEM_LABELS: dict[str, str] = {
    "contacts": "Contact",
}
"""Singular French noun of each list field whose items are keyed ``list[index].field``."""

_ITEM_KEY = re.compile(r"(?P<list>\w+)\[(?P<index>\d+)\](?:\.(?P<field>\w+))?", re.ASCII)


def field_label(field: str) -> str:
    """French label of a field name, or the raw name when it is unknown.

    An item of a list is numbered from 1, with the label of its own field:
    ``contacts[2].email`` → "Contact 3 — E-mail", ``contacts[0]`` → "Contact 1".
    """
    item = _ITEM_KEY.fullmatch(field)
    if item is None or item["list"] not in ITEM_LABELS:
        return FIELD_LABELS.get(field, field)
    label = f"{ITEM_LABELS[item['list']]} {int(item['index']) + 1}"
    if item["field"] is None:
        return label
    return f"{label} — {field_label(item['field'])}"


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
