"""The provider's catalogue: plans and options with their price history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from desktop.domain.enums import MailboxKind, OptionBilling, OptionCategory, ProductLineCode
from desktop.services.demo.builder import HISTORY_YEARS, DemoBuilder
from desktop.services.demo.dates import paris_time
from desktop.services.demo.textdata import fields, paragraphs

HE = ProductLineCode.HOSTED_EXCHANGE
O365 = ProductLineCode.OFFICE_365
_LINES = {"HE": HE, "O365": O365}


def _optional(field: str) -> str | None:
    return None if field == "-" else field


def _line(field: str) -> ProductLineCode | None:
    return None if field == "-" else _LINES[field]


@dataclass(frozen=True)
class PlanSpec:
    code: str
    line: ProductLineCode
    name: str
    platform: str | None
    kind: MailboxKind
    quota_gb: int
    price: str
    old_price: str | None
    services: str

    @classmethod
    def parse(cls, paragraph: tuple[str, ...]) -> PlanSpec:
        """A plan from its paragraph: fields, name, services (maybe over several lines)."""
        head, name, *services = paragraph
        code, line, platform, kind, quota, price, old_price = fields(head)
        old, text = _optional(old_price), " ".join(services)
        return cls(
            code, _LINES[line], name, platform, MailboxKind[kind], int(quota), price, old, text
        )


# code | product line | platform | mailbox kind | quota (GB) | price | until last year (-: none)
# name
# included services
PLANS: tuple[PlanSpec, ...] = tuple(
    PlanSpec.parse(paragraph)
    for paragraph in paragraphs(
        """
        HEX10-ESS | HE | Exchange 2010 | USER | 2 | 2.90 | 2.50
        Exchange 2010 Essentiel 2 Go
        Messagerie, calendriers, contacts et dossiers partagés, accès Outlook et webmail

        HEX10-STD | HE | Exchange 2010 | USER | 5 | 3.90 | 3.50
        Exchange 2010 Standard 5 Go
        Messagerie, calendriers, contacts et dossiers partagés, accès Outlook et webmail

        HEX10-SHR | HE | Exchange 2010 | SHARED | 2 | 1.50 | -
        Exchange 2010 Boîte partagée 2 Go
        Boîte partagée sans licence utilisateur

        HEX13-STD | HE | Exchange 2013 | USER | 10 | 4.90 | 4.50
        Exchange 2013 Standard 10 Go
        Messagerie, calendriers, contacts et dossiers partagés, accès Outlook et webmail

        HEX13-PRE | HE | Exchange 2013 | USER | 50 | 8.90 | 7.90
        Exchange 2013 Premium 50 Go
        Messagerie, calendriers, contacts et dossiers partagés, accès Outlook et webmail,
        archivage en ligne

        HEX13-SHR | HE | Exchange 2013 | SHARED | 10 | 1.90 | -
        Exchange 2013 Boîte partagée 10 Go
        Boîte partagée sans licence utilisateur

        HEX13-ROOM | HE | Exchange 2013 | ROOM | 1 | 0.90 | -
        Exchange 2013 Ressource salle
        Réservation de salle par le calendrier

        HEX13-EQP | HE | Exchange 2013 | EQUIPMENT | 1 | 0.90 | -
        Exchange 2013 Ressource équipement
        Réservation d'équipement

        O365-EOP1 | O365 | Exchange Online | USER | 50 | 4.20 | 3.80
        Exchange Online Plan 1
        Exchange Online

        O365-EOP2 | O365 | Exchange Online | USER | 100 | 8.40 | -
        Exchange Online Plan 2
        Exchange Online, archivage illimité

        O365-BB | O365 | Microsoft 365 | USER | 50 | 5.60 | 5.10
        Microsoft 365 Business Basic
        Exchange Online, OneDrive for Business, SharePoint Online, Teams, Office Online

        O365-BS | O365 | Microsoft 365 | USER | 50 | 11.70 | 10.50
        Microsoft 365 Business Standard
        Business Basic + applications Office installables

        O365-BP | O365 | Microsoft 365 | USER | 50 | 20.60 | -
        Microsoft 365 Business Premium
        Business Standard + sécurité avancée et gestion des appareils

        O365-E3 | O365 | Microsoft 365 | USER | 100 | 22.90 | 20.00
        Office 365 E3
        Exchange Online, OneDrive, SharePoint, Teams, Office Professional Plus

        O365-SHR | O365 | Exchange Online | SHARED | 50 | 1.00 | -
        Exchange Online Boîte partagée
        Boîte partagée sans licence utilisateur

        O365-ROOM | O365 | Exchange Online | ROOM | 50 | 0.50 | -
        Exchange Online Ressource salle
        Réservation de salle

        O365-EQP | O365 | Exchange Online | EQUIPMENT | 50 | 0.50 | -
        Exchange Online Ressource équipement
        Réservation d'équipement
        """
    )
)


@dataclass(frozen=True)
class OptionSpec:
    code: str
    name: str
    category: OptionCategory
    billing: OptionBilling
    line: ProductLineCode | None
    price: str
    old_price: str | None
    description: str

    @classmethod
    def parse(cls, paragraph: tuple[str, ...]) -> OptionSpec:
        """An option from its paragraph: fields, name, description."""
        head, name, description = paragraph
        code, category, billing, line, price, old_price = fields(head)
        terms = OptionCategory[category], OptionBilling[billing], _line(line)
        return cls(code, name, *terms, price, _optional(old_price), description)


# code | category | billing | product line (-: all) | price | until last year (-: none)
# name
# description
OPTIONS: tuple[OptionSpec, ...] = tuple(
    OptionSpec.parse(paragraph)
    for paragraph in paragraphs(
        """
        OPT-ARCH | OPTION | MONTHLY | - | 2.00 | 1.80
        Archivage légal des e-mails
        Archivage à valeur probante, conservation 10 ans, par boîte

        OPT-AV | OPTION | MONTHLY | - | 0.80 | -
        Anti-virus avancé
        Analyse renforcée des pièces jointes, par boîte

        OPT-SYNC | OPTION | MONTHLY | HE | 1.50 | 2.00
        BlackBerry / ActiveSync
        Synchronisation des terminaux mobiles, par boîte

        OPT-STO10 | OPTION | MONTHLY | - | 1.00 | -
        Stockage supplémentaire 10 Go
        10 Go ajoutés au quota de la boîte

        OPT-DOM | OPTION | YEARLY | - | 15.00 | 12.00
        Nom de domaine (gestion et renouvellement)
        Enregistrement et renouvellement annuel du nom de domaine

        OPT-RESTORE | OPTION | PER_ACT | HE | 35.00 | -
        Restauration d'une boîte supprimée
        Restauration depuis la sauvegarde du prestataire

        FEE-HE | INITIAL_FEE | PER_ACT | HE | 49.00 | -
        Frais de mise en service Hosted Exchange
        Création de l'organisation, des domaines et des boîtes

        FEE-O365 | INITIAL_FEE | PER_ACT | O365 | 79.00 | 69.00
        Frais de mise en service Office 365
        Création du tenant, vérification des domaines, licences

        SRV-MIG | SERVICE | PER_ACT | - | 25.00 | -
        Migration de données (par boîte)
        Migration des messages, contacts et calendriers d'une boîte

        SRV-REPRISE | SERVICE | PER_ACT | - | 15.00 | -
        Reprise de données PST (par boîte)
        Import d'archives PST fournies par le client

        SRV-PARAM | SERVICE | PER_ACT | - | 30.00 | -
        Paramétrage d'un poste ou d'un mobile
        Configuration d'Outlook ou d'un smartphone

        SRV-FORM | SERVICE | PER_ACT | - | 390.00 | 350.00
        Formation (demi-journée)
        Formation des utilisateurs dans les locaux du client
        """
    )
)

PRODUCT_LINES: tuple[tuple[ProductLineCode, str, str], ...] = (
    (HE, "Hosted Exchange", "12"),
    (O365, "Office 365", "12,24,36"),
)
"""(code, name, initial terms offered in months)."""


def build_catalogue(b: DemoBuilder) -> None:
    """Product lines, plans and options; prices changed once, on the 1st of January last."""
    start = date(b.today.year - HISTORY_YEARS - 1, 1, 1)
    change = date(b.today.year - 1, 1, 1)
    created = paris_time(start, 10 * 60)
    for code, name, choices in PRODUCT_LINES:
        _add_line(b, code, name, choices, created)
    for plan in PLANS:
        plan_id = _add_plan(b, plan, created)
        _add_prices(b, "plan_id", plan_id, plan.price, plan.old_price, start, change)
    for option in OPTIONS:
        option_id = _add_option(b, option, created)
        _add_prices(b, "option_id", option_id, option.price, option.old_price, start, change)


def _add_line(
    b: DemoBuilder, code: ProductLineCode, name: str, choices: str, created: datetime
) -> None:
    line_id = b.next_id("product_line")
    b.line_ids[code] = line_id
    b.add(
        "product_line",
        {
            "id": line_id,
            "code": code,
            "name": name,
            "initial_months_choices": choices,
            "initial_months": 12,
            "renewal_months": 12,
            "sla_applies": code is O365,
            **b.stamps(created),
        },
    )


def _add_plan(b: DemoBuilder, plan: PlanSpec, created: datetime) -> int:
    plan_id = b.next_id("plan")
    b.plan_ids[plan.code] = plan_id
    b.plan_quota[plan_id] = plan.quota_gb
    b.add(
        "plan",
        {
            "id": plan_id,
            "product_line_id": b.line_ids[plan.line],
            "code": plan.code,
            "name": plan.name,
            "platform": plan.platform,
            "mailbox_kind": plan.kind,
            "quota_gb": plan.quota_gb,
            "max_message_mb": 10,
            "included_services": plan.services,
            "active": True,
            **b.stamps(created),
        },
    )
    return plan_id


def _add_option(b: DemoBuilder, option: OptionSpec, created: datetime) -> int:
    option_id = b.next_id("catalogue_option")
    b.option_ids[option.code] = option_id
    b.add(
        "catalogue_option",
        {
            "id": option_id,
            "code": option.code,
            "name": option.name,
            "category": option.category,
            "billing": option.billing,
            "product_line_id": b.line_ids[option.line] if option.line else None,
            "description": option.description,
            "active": True,
            **b.stamps(created),
        },
    )
    return option_id


def _add_prices(
    b: DemoBuilder, key: str, owner: int, price: str, old: str | None, start: date, change: date
) -> None:
    """The price of a plan or option (``key``: its column): ``old`` until ``change``."""
    periods = [(old, start, change), (price, change, None)] if old else [(price, start, None)]
    for amount, valid_from, valid_to in periods:
        assert amount is not None
        row = {
            "id": b.next_id("price"),
            "plan_id": None,
            "option_id": None,
            "amount_excl_vat": Decimal(amount),
            "valid_from": valid_from,
            "valid_to": valid_to,
            **b.stamps(paris_time(valid_from, 9 * 60)),
        }
        row[key] = owner
        b.add("price", row)
