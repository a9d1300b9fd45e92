"""Staff roles and what each may do (issue: several desktops, one truth).

A permission is a family of write actions; reading is open to every role.
The services check them (:mod:`desktop.services.access`); the screens only
grey out what the services would refuse anyway.
"""

from __future__ import annotations

import unicodedata

from desktop.domain.enums import LabelledEnum, StaffRole
from desktop.domain.errors import ValidationError


class Permission(LabelledEnum):
    """What a role may do; the label completes « Votre rôle ne permet pas de … »."""

    CUSTOMERS = "customers", "modifier les clients, les domaines et les boîtes aux lettres"
    INCIDENTS = "incidents", "enregistrer ou modifier des incidents"
    CONTRACTS = "contracts", "gérer les contrats et les devis"
    BILLING = "billing", "facturer (facturation mensuelle, émission et envoi des factures)"
    PAYMENTS = "payments", "enregistrer des paiements"
    CREDIT_NOTES = "credit_notes", "établir des avoirs"
    SEPA = "sepa", "gérer les mandats et les prélèvements SEPA"
    DUNNING = "dunning", "mener les relances d'impayés"
    DELETE = "delete", "supprimer des enregistrements"
    SETTINGS = "settings", "modifier les paramètres et le catalogue"
    USERS = "users", "gérer les comptes du personnel"
    AUDIT = "audit", "consulter le journal d'audit"
    PERSONAL_DATA = "personal_data", "anonymiser ou purger des données personnelles"


ROLE_PERMISSIONS: dict[StaffRole, frozenset[Permission]] = {
    StaffRole.ADMIN: frozenset(Permission),
    StaffRole.BILLING: frozenset(
        {
            Permission.CONTRACTS,
            Permission.BILLING,
            Permission.PAYMENTS,
            Permission.CREDIT_NOTES,
            Permission.SEPA,
            Permission.DUNNING,
        }
    ),
    StaffRole.SUPPORT: frozenset({Permission.CUSTOMERS, Permission.INCIDENTS}),
    StaffRole.READ_ONLY: frozenset(),
}


def allows(role: StaffRole, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


def parse_role(text: str) -> StaffRole:
    """A role typed by a person: « administrateur », « Facturation », « lecture » or a code."""
    wanted = _plain(text)
    for role in StaffRole:
        if wanted in (_plain(role.label), _plain(role.value)):
            return role
    choices = ", ".join(_plain(role.label) for role in StaffRole)
    raise ValidationError({"role": f"Rôle inconnu : « {text.strip()} » (attendu : {choices})."})


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))
