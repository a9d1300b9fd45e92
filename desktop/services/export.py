"""Every list exported to Excel as it is shown: same rows, order, columns and titles.

A table's export streams the rows of its list service for the user's query (search,
filters and sort, no paging) into :func:`desktop.documents.xlsx.write_table`. The
columns mirror the tab's (``desktop/ui/tabs/specs.py``, checked by the tests): the
same French titles in the same order, typed cells (amounts, dates, counts) and
statuses as their French labels. The note under the title says when and with which
filter the table was exported.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

from desktop.db.engine import Database
from desktop.documents.xlsx import CellType, XlsxColumn, write_table
from desktop.domain.clock import PARIS, as_utc, utc_now
from desktop.domain.domain_names import display_domain_name
from desktop.domain.emails import mailbox_address
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
from desktop.errors import UserError
from desktop.services.clients import list_clients
from desktop.services.contracts import list_contracts
from desktop.services.domains import list_domains
from desktop.services.incidents import (  # the support clock, as the list computes it
    IncidentRow,
    Objectives,
    list_incidents,
    objectives,
    with_clock,
)
from desktop.services.invoices import list_invoices
from desktop.services.listing import (
    ListQuery,
    Page,
    capture_source,
    count_rows,
    stream_rows,
)
from desktop.services.mailboxes import list_mailboxes
from desktop.services.quotes import list_quotes

Progress = Callable[[int, int], None]
"""``progress(rows_written, total_rows)``."""


@dataclass(frozen=True)
class ExportColumn:
    """One exported column: the tab's title, the row's field, its cell type and sort key."""

    title: str
    field: str
    type: CellType = CellType.TEXT
    sort: str | None = None
    value: Callable[[Any], object] | None = None
    """Computes the cell from the row instead of reading ``field`` (e.g. a delay as text)."""


@dataclass(frozen=True)
class FilterInfo:
    """A filter's caption for the note and the enum of its values, if any."""

    caption: str
    enum: type[Enum] | None = None


@dataclass(frozen=True)
class ExportSpec:
    """One exportable table: its list service and the columns of its tab."""

    name: str
    title: str
    file_stem: str
    """The start of the suggested file name (« boites-aux-lettres »)."""
    columns: tuple[ExportColumn, ...]
    fetch: Callable[[Database, ListQuery], Page[Any]]
    default_sort: str
    descending: bool = False
    filters: Mapping[str, FilterInfo] = field(default_factory=dict)
    raw_rows: bool = False
    """Columns read the selected row itself, not the service's row dataclass (faster:
    500 000 mailboxes); computed columns then have their own ``value``."""

    def query(self) -> ListQuery:
        """The tab's query when nothing was typed nor chosen."""
        return ListQuery(sort=self.default_sort, descending=self.descending)

    def xlsx_columns(self) -> list[XlsxColumn]:
        return [XlsxColumn(column.title, column.type) for column in self.columns]

    def file_name(self, day: date) -> str:
        """« boites-aux-lettres-2026-11-23.xlsx »."""
        return f"{self.file_stem}-{day.isoformat()}.xlsx"


def _label(value: object) -> object:
    """An enum's French label, any other value as is."""
    return getattr(value, "label", value)


def hours_minutes(value: timedelta) -> str:
    """A duration as « 3 h 05 » (minutes rounded down)."""
    minutes = int(abs(value).total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d}"


def support_left(row: IncidentRow) -> str | None:
    """« 3 h 05 ouvrées restantes » / « dépassé de 1 h 20 ouvrées », as the list shows it."""
    state = row.clock_state
    if state is None:
        return None
    left, breached = state
    if breached or left < timedelta(0):
        return f"dépassé de {hours_minutes(left)} ouvrées"
    return f"{hours_minutes(left)} ouvrées restantes"


@functools.lru_cache(maxsize=65536)
def _display_domain(a_label: str) -> str:
    """The Unicode form of a domain, decoded once per domain (IDNA is slow)."""
    return display_domain_name(a_label)


def display_address(row: Any) -> str:
    """``local@unicode-domain`` of a mailbox row, as the list shows it."""
    local, _, domain = row.address.partition("@")
    return mailbox_address(local, _display_domain(domain))


C = ExportColumn
T = CellType
_STATUS = "État"
_CLIENT = FilterInfo("Client")
_PRODUCT_LINE = FilterInfo("Gamme", ProductLineCode)

CLIENTS = ExportSpec(
    name="clients",
    title="Clients",
    file_stem="clients",
    columns=(
        C("Code", "code", sort="code"),
        C("Nom", "name", sort="name"),
        C("Type", "kind", sort="kind"),
        C("État", "status", sort="status"),
        C("SIREN", "siren"),
        C("Ville", "city", sort="city"),
        C("E-mail de facturation", "billing_email"),
        C("Domaines", "domain_count", T.INT),
        C("Boîtes", "mailbox_count", T.INT, "mailbox_count"),
    ),
    fetch=list_clients,
    default_sort="name",
    filters={"status": FilterInfo(_STATUS, ClientStatus), "kind": FilterInfo("Type", ClientKind)},
)

DOMAINS = ExportSpec(
    name="domains",
    title="Domaines",
    file_stem="domaines",
    columns=(
        C("Domaine", "display_name", sort="name"),
        C("Client", "client_name", sort="client"),
        C("Principal", "is_primary", T.BOOL),
        C("DNS", "dns_status"),
        C("Boîtes", "mailbox_count", T.INT, "mailbox_count"),
        C("Attestation", "admin_certified_at", T.DATETIME),
    ),
    fetch=list_domains,
    default_sort="name",
    filters={
        "dns_status": FilterInfo("DNS", DnsStatus),
        "client_id": _CLIENT,
        "is_primary": FilterInfo("Principal"),
    },
)

MAILBOXES = ExportSpec(
    name="mailboxes",
    title="Boîtes aux lettres",
    file_stem="boites-aux-lettres",
    columns=(
        C("Adresse", "display_address", sort="address", value=display_address),
        C("Nom affiché", "display_name", sort="display_name"),
        C("Client", "client_name", sort="client"),
        C("État", "status", sort="status"),
        C("Gamme", "product_line_name", sort="product_line"),
        C("Formule", "plan_name", sort="plan"),
        C("Quota (Go)", "quota_gb", T.INT),
        C("Contrat", "contract_number"),
        C("Activée le", "activated_on", T.DATE, "activated_on"),
    ),
    fetch=list_mailboxes,
    default_sort="address",
    raw_rows=True,
    filters={
        "status": FilterInfo(_STATUS, MailboxStatus),
        "product_line": _PRODUCT_LINE,
        "client_id": _CLIENT,
        "domain_id": FilterInfo("Domaine"),
        "contract_id": FilterInfo("Contrat"),
        "plan_id": FilterInfo("Formule"),
    },
)

INVOICES = ExportSpec(
    name="invoices",
    title="Factures",
    file_stem="factures",
    columns=(
        C("Numéro", "number", sort="number"),
        C("Type", "kind", sort="kind"),
        C("Client", "client_name", sort="client"),
        C("État", "status", sort="status"),
        C("Émise le", "issued_on", T.DATE, "issued_on"),
        C("Échéance", "due_on", T.DATE, "due_on"),
        C("Total HT", "total_excl_vat", T.MONEY, "total_excl_vat"),
        C("TVA", "total_vat", T.MONEY),
        C("Total TTC", "total_incl_vat", T.MONEY, "total_incl_vat"),
    ),
    fetch=list_invoices,
    default_sort="issued_on",
    descending=True,
    filters={
        "status": FilterInfo(_STATUS, InvoiceStatus),
        "kind": FilterInfo("Type", InvoiceKind),
        "client_id": _CLIENT,
        "id": FilterInfo("Facture"),
    },
)

INCIDENTS = ExportSpec(
    name="incidents",
    title="Incidents",
    file_stem="incidents",
    columns=(
        C("Numéro", "number", sort="number"),
        C("Client", "client_name", sort="client"),
        C("Gamme", "product_line_name"),
        C("Domaine", "domain_name"),
        C("Canal", "channel", sort="channel"),
        C("Reçu le", "received_at", T.DATETIME, "received_at"),
        C("Rétabli le", "restored_at", T.DATETIME, "restored_at"),
        C("État", "status", sort="status"),
        C("Délai de rétablissement", "clock_state", value=support_left),
        C("Description", "description"),
    ),
    fetch=list_incidents,
    default_sort="received_at",
    descending=True,
    filters={
        "status": FilterInfo(_STATUS, IncidentStatus),
        "product_line": _PRODUCT_LINE,
        "channel": FilterInfo("Canal", IncidentChannel),
        "client_id": _CLIENT,
        "id": FilterInfo("Incident"),
    },
)

CONTRACTS = ExportSpec(
    name="contracts",
    title="Contrats",
    file_stem="contrats",
    columns=(
        C("Numéro", "number", sort="number"),
        C("Client", "client_name", sort="client"),
        C("Gamme", "product_line_name", sort="product_line"),
        C("État", "status", sort="status"),
        C("Signé le", "signed_on", T.DATE, "signed_on"),
        C("Début du service", "service_start", T.DATE, "service_start"),
        C("Engagement (mois)", "initial_months", T.INT),
        C("Boîtes", "mailbox_count", T.INT),
    ),
    fetch=list_contracts,
    default_sort="number",
    filters={
        "status": FilterInfo(_STATUS, ContractStatus),
        "product_line": _PRODUCT_LINE,
        "client_id": _CLIENT,
        "id": FilterInfo("Contrat"),
    },
)

QUOTES = ExportSpec(
    name="quotes",
    title="Devis",
    file_stem="devis",
    columns=(
        C("Numéro", "number", sort="number"),
        C("Client", "client_name", sort="client"),
        C("Date", "issued_on", T.DATE, "issued_on"),
        C("Validité", "valid_until", T.DATE, "valid_until"),
        C("État", "status", sort="status"),
        C("Total HT", "total_excl_vat", T.MONEY, "total_excl_vat"),
        C("Total TTC", "total_incl_vat", T.MONEY),
    ),
    fetch=list_quotes,
    default_sort="issued_on",
    descending=True,
    filters={
        "status": FilterInfo(_STATUS, QuoteStatus),
        "client_id": _CLIENT,
        "id": FilterInfo("Devis"),
    },
)

EXPORTS: dict[str, ExportSpec] = {
    spec.name: spec
    for spec in (CLIENTS, DOMAINS, MAILBOXES, CONTRACTS, INVOICES, INCIDENTS, QUOTES)
}
"""The exportable tables, by their command-line name."""

BY_TITLE: dict[str, ExportSpec] = {spec.title: spec for spec in EXPORTS.values()}
"""The same, by the title of their tab (« Boîtes aux lettres »)."""


# --- rows -------------------------------------------------------------------------------


def export_spec(table: str) -> ExportSpec:
    """The table named ``table``; a French error naming the possible ones."""
    spec = EXPORTS.get(table)
    if spec is None:
        names = ", ".join(EXPORTS)
        raise UserError(f"Table inconnue : « {table} ». Tables possibles : {names}.")
    return spec


def export_rows(
    db: Database, table: str, query: ListQuery, *, batch: int = 5000
) -> Iterator[tuple[Any, ...]]:
    """Every row of the table for ``query`` (search, filters, sort), as the export's cells.

    One streamed SELECT in one read session: no paging, memory flat however long the
    list. Enums come as their French labels; the other values keep their types.
    """
    spec = export_spec(table)
    source = capture_source(lambda q: spec.fetch(db, q), _unpaged(query))
    if spec.raw_rows:
        source = dataclasses.replace(source, make_row=_same)
    with db.read_session() as session:
        rows: Iterator[Any] = stream_rows(session, source, batch=batch)
        if spec is INCIDENTS:
            rows = _with_clocks(rows, objectives(session))
        yield from _cells(spec, rows)


def count_export_rows(db: Database, table: str, query: ListQuery) -> int:
    """How many rows :func:`export_rows` gives for ``query``."""
    spec = export_spec(table)
    source = capture_source(lambda q: spec.fetch(db, q), _unpaged(query))
    with db.read_session() as session:
        return count_rows(session, source)


def _same(row: Any) -> Any:
    return row


def _unpaged(query: ListQuery) -> ListQuery:
    return dataclasses.replace(query, offset=0, count=False)


def _with_clocks(rows: Iterator[IncidentRow], goals: Objectives) -> Iterator[IncidentRow]:
    """Open incidents with their support time left, as the list shows them."""
    now = utc_now()
    for row in rows:
        yield with_clock(row, goals, now)


def _cells(spec: ExportSpec, rows: Iterator[Any]) -> Iterator[tuple[Any, ...]]:
    """Each row as a tuple of cell values in the columns' order."""
    getters = [_getter(column) for column in spec.columns]
    for row in rows:
        yield tuple([getter(row) for getter in getters])


def _getter(column: ExportColumn) -> Callable[[Any], object]:
    if column.value is not None:
        return column.value
    name = column.field
    read = operator.attrgetter(name)
    if column.type is CellType.TEXT:
        return lambda row: _text_value(read(row))
    return read


def _text_value(value: object) -> object:
    """Text as is (the common case, tested first), enums as their French labels."""
    if type(value) is str or value is None:
        return value
    return _label(value)


# --- the file ---------------------------------------------------------------------------


def export_table(
    db: Database,
    table: str,
    path: Path,
    *,
    query: ListQuery | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    now: datetime | None = None,
    filter_labels: Mapping[str, str] | None = None,
) -> int:
    """Export the table's rows for ``query`` (the tab's default: None) to the .xlsx ``path``.

    The number of rows written. The query's sort and filters are checked before
    anything is written (the list service's French errors); a cancelled export
    (``cancelled()`` true → :class:`~desktop.documents.xlsx.ExportCancelled`) or a
    failure leaves no file. ``filter_labels`` names filter values in the note (the
    client's name for a ``client_id``).
    """
    spec = export_spec(table)
    query = query or spec.query()
    total = count_export_rows(db, table, query)
    note = export_note(spec, query, now=now, labels=filter_labels)
    report = None if progress is None else (lambda done: progress(done, total))
    return write_table(
        path,
        sheet=spec.title,
        title=spec.title,
        note=note,
        columns=spec.xlsx_columns(),
        rows=export_rows(db, table, query),
        progress=report,
        cancelled=cancelled,
        total=total,
    )


def export_note(
    spec: ExportSpec,
    query: ListQuery,
    *,
    now: datetime | None = None,
    labels: Mapping[str, str] | None = None,
) -> str:
    """« Exporté le 23/11/2026 à 10:05 — filtre : recherche « dupont », État : Active, tri :
    Adresse ↑ »."""
    local = as_utc(now or utc_now()).astimezone(PARIS)
    return f"Exporté le {local:%d/%m/%Y à %H:%M} — filtre : {describe_query(spec, query, labels)}"


def describe_query(
    spec: ExportSpec, query: ListQuery, labels: Mapping[str, str] | None = None
) -> str:
    """The query in words: « recherche « dupont », État : Active, tri : Adresse ↓ »."""
    parts = []
    if query.search.strip():
        parts.append(f"recherche « {query.search.strip()} »")
    if not parts and not any(value is not None for value in query.filters.values()):
        parts.append("aucun")
    for name, value in query.filters.items():
        if value is None:
            continue
        info = spec.filters.get(name, FilterInfo(name))
        text = (labels or {}).get(name) or _filter_value_text(info, value)
        parts.append(f"{info.caption} : {text}")
    parts.append(f"tri : {_sort_text(spec, query)}")
    return ", ".join(parts)


def _filter_value_text(info: FilterInfo, value: object) -> str:
    values = list(value) if isinstance(value, list | tuple | set | frozenset) else [value]
    return " ou ".join(_one_value_text(info, item) for item in values)


def _one_value_text(info: FilterInfo, value: object) -> str:
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if info.enum is not None:
        try:
            return str(_label(info.enum(value)))
        except ValueError:
            return str(value)
    if isinstance(value, int):
        return f"n° {value}"
    return str(_label(value))


def _sort_text(spec: ExportSpec, query: ListQuery) -> str:
    key = query.sort or spec.default_sort
    title = next((column.title for column in spec.columns if column.sort == key), key)
    return f"{title} {'↓' if query.descending else '↑'}"


def parse_filters(table: str, items: Sequence[str]) -> dict[str, object]:
    """``NAME=VALUE`` items of the command line as a query's filters.

    An enum value is given as stored (``active``) or as its French label (« Active »);
    ids as numbers; yes/no filters as oui/non (or true/false). A name given twice
    asks for either value. Wrong names and values are left to the list service,
    whose French errors say what is possible.
    """
    spec = export_spec(table)
    filters: dict[str, object] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name, text = name.strip(), text.strip()
        if not sep or not name:
            raise UserError(f"Filtre « {item} » : la forme attendue est NOM=VALEUR.")
        value = _filter_value(spec.filters.get(name), name, text)
        if name in filters:
            previous = filters[name]
            filters[name] = [*(previous if isinstance(previous, list) else [previous]), value]
        else:
            filters[name] = value
    return filters


_YES = {"oui": True, "true": True, "1": True, "non": False, "false": False, "0": False}


def _filter_value(info: FilterInfo | None, name: str, text: str) -> object:
    if info is not None and info.enum is not None:
        for member in info.enum:
            if text.casefold() in (str(member.value).casefold(), str(_label(member)).casefold()):
                return member.value
        return text
    if name == "id" or name.endswith("_id"):
        return int(text) if text.isdigit() else text
    if info is not None and text.casefold() in _YES:
        return _YES[text.casefold()]
    return text
