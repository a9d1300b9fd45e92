"""The columns of each kind of import: fields, required or not, accepted headers.

Headers are matched whatever their case, accents, spaces and punctuation:
« E-mail de facturation », « email de facturation » and « Billing e-mail »
all name the billing e-mail. The first header of each field is its French
name, used by the template and in messages about a missing column.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import Enum


class ImportKind(Enum):
    CLIENTS = "clients"
    DOMAINS = "domains"
    MAILBOXES = "mailboxes"

    @property
    def label(self) -> str:
        """« clients », « domaines », « boîtes aux lettres »."""
        return _KIND_LABELS[self]


_KIND_LABELS = {
    ImportKind.CLIENTS: "clients",
    ImportKind.DOMAINS: "domaines",
    ImportKind.MAILBOXES: "boîtes aux lettres",
}


@dataclass(frozen=True)
class Field:
    """One importable field: its key, accepted headers (French first), format help."""

    key: str
    headers: tuple[str, ...]
    required: bool = False
    help: str = ""
    example: str = ""

    @property
    def title(self) -> str:
        """The French header, as in the template."""
        return self.headers[0]


def header_key(text: str) -> str:
    """« E-mail de facturation » → « emaildefacturation »: no case, accent, space, sign."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


CLIENT_FIELDS: tuple[Field, ...] = (
    Field(
        "code",
        ("Code client", "Code", "Client code", "Customer code"),
        help="Facultatif : lettres sans accent, chiffres, - et _. Vide : code CL00001… attribué.",
        example="",
    ),
    Field(
        "kind",
        ("Type de client", "Type", "Client type", "Kind", "Customer type"),
        help="Entreprise, Organisme public ou Particulier. Vide : Entreprise.",
        example="Entreprise",
    ),
    Field(
        "name",
        ("Raison sociale", "Nom", "Nom du client", "Name", "Company name", "Company"),
        required=True,
        help="Obligatoire.",
        example="Exemple Industrie",
    ),
    Field("legal_form", ("Forme juridique", "Legal form"), help="SAS, SARL…", example="SAS"),
    Field(
        "siren",
        ("SIREN", "N° SIREN", "Numéro SIREN", "SIREN number"),
        help="9 chiffres, obligatoire pour une entreprise ou un organisme public.",
        example="552081317",
    ),
    Field(
        "siret",
        ("SIRET", "N° SIRET", "Numéro SIRET", "SIRET number"),
        help="14 chiffres, facultatif.",
        example="55208131700018",
    ),
    Field(
        "vat_number",
        (
            "N° de TVA",
            "Numéro de TVA",
            "TVA intracommunautaire",
            "N° TVA intracommunautaire",
            "VAT number",
            "VAT",
        ),
        help="Facultatif : FR + 11 caractères.",
        example="FR03552081317",
    ),
    Field("address_line1", ("Adresse", "Address", "Address line 1"), example="1 rue de la Paix"),
    Field(
        "address_line2",
        ("Complément d'adresse", "Adresse 2", "Address line 2"),
        example="",
    ),
    Field(
        "postcode",
        ("Code postal", "CP", "Postcode", "Postal code", "Zip code", "Zip"),
        example="75002",
    ),
    Field("city", ("Ville", "City", "Town"), example="Paris"),
    Field(
        "country",
        ("Pays", "Country"),
        help="Code à deux lettres (FR, BE…). Vide : FR.",
        example="FR",
    ),
    Field(
        "billing_email",
        (
            "E-mail de facturation",
            "Adresse e-mail de facturation",
            "Billing email",
            "E-mail",
            "Courriel",
            "Email address",
        ),
        required=True,
        help="Obligatoire.",
        example="compta@exemple.fr",
    ),
    Field("phone", ("Téléphone", "Tél", "Phone", "Telephone"), example="01 23 45 67 89"),
    Field(
        "payment_method",
        ("Mode de paiement", "Règlement", "Payment method"),
        help="Virement, Chèque, Mandat administratif ou Prélèvement SEPA ; facultatif.",
        example="Virement",
    ),
    Field(
        "chorus_pro_id",
        ("Identifiant Chorus Pro", "Chorus Pro", "Chorus Pro ID"),
        example="",
    ),
    Field(
        "chorus_pro_service_code",
        ("Code service Chorus Pro", "Chorus Pro service code"),
        example="",
    ),
    Field(
        "status",
        ("Statut", "Status"),
        help="Prospect, Actif, Suspendu ou Résilié. Vide : Actif.",
        example="Actif",
    ),
    Field("notes", ("Notes", "Remarques", "Commentaire", "Comments"), example=""),
)

DOMAIN_FIELDS: tuple[Field, ...] = (
    Field(
        "client",
        ("Client", "Code client", "SIREN du client", "Client code", "Customer"),
        required=True,
        help="Code du client (CL00001) ou son SIREN ; le client doit déjà exister.",
        example="CL00001",
    ),
    Field(
        "domain_name",
        ("Nom de domaine", "Domaine", "Domain", "Domain name"),
        required=True,
        help="Obligatoire, sans www ni @ (les accents sont acceptés).",
        example="exemple.fr",
    ),
    Field(
        "is_primary",
        ("Domaine principal", "Principal", "Primary", "Primary domain"),
        help="Oui ou non. Vide : principal si le client n'en a pas encore.",
        example="oui",
    ),
    Field(
        "antispam_enabled",
        ("Antispam", "Anti-spam"),
        help="Oui ou non. Vide : oui.",
        example="oui",
    ),
    Field(
        "admin_certified",
        ("Administrateur certifié", "Client administrateur", "Admin certified"),
        help=(
            "Le client administre le domaine (HE §4). Vide ou oui : vous le certifiez "
            "en important ; non : la ligne est refusée."
        ),
        example="oui",
    ),
)

MAILBOX_FIELDS: tuple[Field, ...] = (
    Field(
        "address",
        ("Adresse e-mail", "Adresse", "E-mail", "Boîte aux lettres", "Email address", "Mailbox"),
        required=True,
        help="partie-locale@domaine ; le domaine doit déjà exister pour le client.",
        example="jean.dupont@exemple.fr",
    ),
    Field(
        "plan",
        ("Formule", "Code formule", "Plan", "Plan code"),
        required=True,
        help="Code de la formule du catalogue (ou son nom exact).",
        example="HE-STD",
    ),
    Field(
        "contract",
        ("Contrat", "N° de contrat", "Numéro de contrat", "Contract", "Contract number"),
        help=(
            "Numéro du contrat. Vide : le seul contrat en cours du client pour la gamme "
            "de la formule."
        ),
        example="",
    ),
    Field(
        "display_name",
        ("Nom affiché", "Nom", "Display name", "Name"),
        help="Facultatif.",
        example="Jean Dupont",
    ),
    Field(
        "kind",
        ("Type de boîte", "Type", "Mailbox type", "Kind"),
        help="Utilisateur, Partagée, Salle ou Équipement. Vide : celui de la formule.",
        example="",
    ),
    Field(
        "quota_gb",
        ("Quota (Go)", "Quota", "Quota (GB)", "Quota GB"),
        help="Nombre entier de Go. Vide : celui de la formule.",
        example="",
    ),
)

FIELDS: dict[ImportKind, tuple[Field, ...]] = {
    ImportKind.CLIENTS: CLIENT_FIELDS,
    ImportKind.DOMAINS: DOMAIN_FIELDS,
    ImportKind.MAILBOXES: MAILBOX_FIELDS,
}


@dataclass(frozen=True)
class ColumnMap:
    """Which file column holds each field, and what the file calls it."""

    positions: dict[str, int]
    titles: dict[str, str]
    ignored: tuple[str, ...]
    missing: tuple[Field, ...]
    repeated: tuple[tuple[str, str], ...]  # (first header, repeated header)

    def title(self, field: Field) -> str:
        """The file's header of the field, or its French name when the file has none."""
        return self.titles.get(field.key, field.title)


def match_columns(kind: ImportKind, headers: tuple[str, ...]) -> ColumnMap:
    """Map the file's headers to the kind's fields."""
    by_key = {header_key(h): f for f in FIELDS[kind] for h in f.headers}
    positions: dict[str, int] = {}
    titles: dict[str, str] = {}
    ignored: list[str] = []
    repeated: list[tuple[str, str]] = []
    for position, header in enumerate(headers):
        field = by_key.get(header_key(header))
        if field is None:
            if header:
                ignored.append(header)
        elif field.key in positions:
            repeated.append((titles[field.key], header))
        else:
            positions[field.key] = position
            titles[field.key] = header
    missing = tuple(f for f in FIELDS[kind] if f.required and f.key not in positions)
    return ColumnMap(positions, titles, tuple(ignored), missing, tuple(repeated))


def accepted_headers(field: Field) -> str:
    """« « Raison sociale », « Nom », « Name » »."""
    return ", ".join(f"« {h} »" for h in field.headers)
