"""What each list shows: its columns, filters, search hint and the service behind it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from desktop.db.engine import Database
from desktop.domain.enums import (
    ClientKind,
    ClientStatus,
    ContractStatus,
    DnsStatus,
    IncidentChannel,
    IncidentStatus,
    InvoiceKind,
    InvoiceStatus,
    MailboxStatus,
    ProductLineCode,
    QuoteStatus,
)
from desktop.services.clients import list_clients
from desktop.services.contracts import list_contracts
from desktop.services.domains import list_domains
from desktop.services.incidents import list_incidents
from desktop.services.invoices import list_invoices
from desktop.services.listing import ListQuery, Page
from desktop.services.mailboxes import list_mailboxes
from desktop.services.quotes import list_quotes, quote_list_totals
from desktop.ui.formatting import french_int, money
from desktop.ui.models.paged_model import CellKind, ListColumn


class RecordKind(Enum):
    CLIENT = "client"
    DOMAIN = "domain"
    MAILBOX = "mailbox"
    INVOICE = "invoice"
    INCIDENT = "incident"
    CONTRACT = "contract"
    QUOTE = "quote"


@dataclass(frozen=True)
class FilterSpec:
    """A drop-down filter: its name for the service, caption, and (label, value) choices."""

    name: str
    caption: str
    choices: tuple[tuple[str, object], ...]


def enum_choices(enum_cls: type[Enum]) -> tuple[tuple[str, object], ...]:
    return tuple((getattr(member, "label", member.name), member.value) for member in enum_cls)


def status_filter(enum_cls: type[Enum]) -> FilterSpec:
    return FilterSpec("status", "État", enum_choices(enum_cls))


PRODUCT_LINE_FILTER = FilterSpec("product_line", "Gamme", enum_choices(ProductLineCode))


@dataclass(frozen=True)
class ListSpecUI:
    kind: RecordKind
    title: str
    singular: str
    plural: str
    columns: tuple[ListColumn, ...]
    fetch: Callable[[Database, ListQuery], Page[Any]]
    search_hint: str
    filters: tuple[FilterSpec, ...] = ()
    default_sort: str | None = None
    descending: bool = False
    by_client: bool = True
    """The service accepts a ``client_id`` filter (lists inside a client's record)."""
    multi_select: bool = False
    """Several rows can be selected at once (batch actions on the selection)."""
    totals: Callable[[Database, ListQuery], str] | None = None
    """The line under the list summing every row its query matches (None: no such line)."""

    def query(self) -> ListQuery:
        return ListQuery(sort=self.default_sort, descending=self.descending)


C = ListColumn

CLIENTS = ListSpecUI(
    kind=RecordKind.CLIENT,
    title="Clients",
    singular="client",
    plural="clients",
    columns=(
        C("Code", "code", "code", width=90),
        C("Nom", "name", "name", width=240),
        C("Type", "kind", "kind", width=120),
        C("État", "status", "status", CellKind.STATUS, width=100),
        C("SIREN", "siren", width=100),
        C("Ville", "city", "city", width=150),
        C("E-mail de facturation", "billing_email", width=230),
        C("Domaines", "domain_count", kind=CellKind.INT, width=90),
        C("Boîtes", "mailbox_count", "mailbox_count", CellKind.INT, width=80),
    ),
    fetch=list_clients,
    search_hint="Rechercher un client : nom, code, SIREN, SIRET, e-mail, ville…",
    filters=(status_filter(ClientStatus), FilterSpec("kind", "Type", enum_choices(ClientKind))),
    default_sort="name",
    by_client=False,
)

DOMAINS = ListSpecUI(
    kind=RecordKind.DOMAIN,
    title="Domaines",
    singular="domaine",
    plural="domaines",
    columns=(
        C("Domaine", "display_name", "name", width=240),
        C("Client", "client_name", "client", width=220),
        C("Principal", "is_primary", kind=CellKind.BOOL, width=80),
        C("DNS", "dns_status", kind=CellKind.STATUS, width=110),
        C("Boîtes", "mailbox_count", "mailbox_count", CellKind.INT, width=80),
        C("Attestation", "admin_certified_at", kind=CellKind.DATETIME, width=140),
    ),
    fetch=list_domains,
    search_hint="Rechercher un domaine ou un client…",
    filters=(FilterSpec("dns_status", "DNS", enum_choices(DnsStatus)),),
    default_sort="name",
)

MAILBOXES = ListSpecUI(
    kind=RecordKind.MAILBOX,
    title="Boîtes aux lettres",
    singular="boîte aux lettres",
    plural="boîtes aux lettres",
    columns=(
        C("Adresse", "display_address", "address", width=280),
        C("Nom affiché", "display_name", "display_name", width=180),
        C("Client", "client_name", "client", width=200),
        C("État", "status", "status", CellKind.STATUS, width=120),
        C("Gamme", "product_line_name", "product_line", width=140),
        C("Formule", "plan_name", "plan", width=150),
        C("Quota (Go)", "quota_gb", kind=CellKind.INT, width=80),
        C("Contrat", "contract_number", width=110),
        C("Activée le", "activated_on", "activated_on", CellKind.DATE, width=95),
    ),
    fetch=list_mailboxes,
    search_hint="Rechercher une adresse, un nom, un domaine ou un client…",
    filters=(status_filter(MailboxStatus), PRODUCT_LINE_FILTER),
    default_sort="address",
)

INVOICES = ListSpecUI(
    kind=RecordKind.INVOICE,
    title="Factures",
    singular="facture",
    plural="factures",
    columns=(
        C("Numéro", "number", "number", width=130),
        C("Type", "kind", "kind", width=80),
        C("Client", "client_name", "client", width=220),
        C("État", "status", "status", CellKind.STATUS, width=140),
        C("Émise le", "issued_on", "issued_on", CellKind.DATE, width=95),
        C("Échéance", "due_on", "due_on", CellKind.DATE, width=95),
        C("Total HT", "total_excl_vat", "total_excl_vat", CellKind.MONEY, width=110),
        C("TVA", "total_vat", kind=CellKind.MONEY, width=100),
        C("Total TTC", "total_incl_vat", "total_incl_vat", CellKind.MONEY, width=110),
    ),
    fetch=list_invoices,
    search_hint="Rechercher un numéro de facture ou un client…",
    filters=(status_filter(InvoiceStatus), FilterSpec("kind", "Type", enum_choices(InvoiceKind))),
    default_sort="issued_on",
    descending=True,
    multi_select=True,
)

INCIDENTS = ListSpecUI(
    kind=RecordKind.INCIDENT,
    title="Incidents",
    singular="incident",
    plural="incidents",
    columns=(
        C("Numéro", "number", "number", width=130),
        C("Client", "client_name", "client", width=200),
        C("Gamme", "product_line_name", width=130),
        C("Domaine", "domain_name", width=170),
        C("Canal", "channel", "channel", width=120),
        C("Reçu le", "received_at", "received_at", CellKind.DATETIME, width=130),
        C("Rétabli le", "restored_at", "restored_at", CellKind.DATETIME, width=130),
        C("État", "status", "status", CellKind.STATUS, width=90),
        C("Délai de rétablissement", "clock_state", kind=CellKind.SUPPORT_LEFT, width=200),
        C("Description", "description", width=300),
    ),
    fetch=list_incidents,
    search_hint="Rechercher un numéro, une description ou un client…",
    filters=(
        status_filter(IncidentStatus),
        PRODUCT_LINE_FILTER,
        FilterSpec("channel", "Canal", enum_choices(IncidentChannel)),
    ),
    default_sort="received_at",
    descending=True,
)

CONTRACTS = ListSpecUI(
    kind=RecordKind.CONTRACT,
    title="Contrats",
    singular="contrat",
    plural="contrats",
    columns=(
        C("Numéro", "number", "number", width=120),
        C("Client", "client_name", "client", width=200),
        C("Gamme", "product_line_name", "product_line", width=140),
        C("État", "status", "status", CellKind.STATUS, width=150),
        C("Signé le", "signed_on", "signed_on", CellKind.DATE, width=95),
        C("Début du service", "service_start", "service_start", CellKind.DATE, width=110),
        C("Engagement (mois)", "initial_months", kind=CellKind.INT, width=120),
        C("Boîtes", "mailbox_count", kind=CellKind.INT, width=70),
    ),
    fetch=list_contracts,
    search_hint="Rechercher un numéro de contrat ou un client…",
    filters=(status_filter(ContractStatus), PRODUCT_LINE_FILTER),
    default_sort="number",
)


def quote_totals_text(db: Database, query: ListQuery) -> str:
    """« 12 devis · total HT 1 234,00 € · TTC 1 480,80 € » for the quotes listed."""
    totals = quote_list_totals(db, query)
    return (
        f"{french_int(totals.count)} devis · total HT {money(totals.total_excl_vat)} · "
        f"TTC {money(totals.total_incl_vat)}"
    )


QUOTES = ListSpecUI(
    kind=RecordKind.QUOTE,
    title="Devis",
    singular="devis",
    plural="devis",
    columns=(
        C("Numéro", "number", "number", width=120),
        C("Client", "client_name", "client", width=220),
        C("Date", "issued_on", "issued_on", CellKind.DATE, width=95),
        C("Validité", "valid_until", "valid_until", CellKind.DATE, width=95),
        C("État", "status", "status", CellKind.STATUS, width=100),
        C("Total HT", "total_excl_vat", "total_excl_vat", CellKind.MONEY, width=110),
        C("Total TTC", "total_incl_vat", kind=CellKind.MONEY, width=110),
    ),
    fetch=list_quotes,
    search_hint="Rechercher un numéro de devis ou un client…",
    filters=(status_filter(QuoteStatus),),
    totals=quote_totals_text,
    default_sort="issued_on",
    descending=True,
)

MAIN_TABS = (CLIENTS, DOMAINS, MAILBOXES, INVOICES, INCIDENTS, QUOTES)
