"""Checking every row of an import in memory: each problem by row and column.

The rules are the forms' own: clients go through the client service's
validation, domain names, local parts and identifiers through the domain
normalisers, mailboxes through the same checks as ``create_mailbox``
(contract open, domain and contract of one client, plan of the contract's
line, active plan, quota). What the database already holds is read once per
import (a few SELECTs by chunks), never once per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db.models import Client, Contract, Domain, Mailbox, Plan, ProductLine
from desktop.domain.domain_names import display_domain_name, normalize_domain_name
from desktop.domain.emails import mailbox_address, normalize_local_part
from desktop.domain.enums import ClientKind, ClientStatus, LabelledEnum, MailboxKind, PaymentMethod
from desktop.domain.errors import FIELD_LABELS, InvalidValue, ValidationError
from desktop.domain.identifiers import normalize_siren
from desktop.domain.lifecycle import CLOSED_CONTRACTS
from desktop.services.clients import ClientDraft, validate_client_draft
from desktop.services.domains import ADMIN_CERTIFICATION_REQUIRED, refused_tlds
from desktop.services.fields import text_field
from desktop.services.importing.columns import FIELDS, ColumnMap, Field, ImportKind, header_key
from desktop.services.importing.reading import Sheet, SheetRow
from desktop.services.mailboxes import MAX_QUOTA_GB

E = TypeVar("E", bound=LabelledEnum)
K = TypeVar("K")
V = TypeVar("V")

IN_CHUNK = 500
"""Values per ``IN (…)`` list: far below every driver's limit of parameters."""

_TRUE = frozenset({"oui", "o", "yes", "y", "vrai", "true", "1", "x"})
_FALSE = frozenset({"non", "n", "no", "faux", "false", "0"})


@dataclass(frozen=True, order=True)
class Problem:
    """One problem of the file: spreadsheet row (header = 1), the file's column header."""

    row: int
    column: str
    message: str

    def text(self) -> str:
        """« Ligne 7, colonne « SIREN » : … »."""
        if not self.column:
            return f"Ligne {self.row} : {self.message}"
        return f"Ligne {self.row}, colonne « {self.column} » : {self.message}"


@dataclass
class Checked:
    """The outcome of the checks: the problems, and the rows ready to write."""

    problems: list[Problem] = field(default_factory=list)
    values: list[dict[str, Any]] = field(default_factory=list)


# --- cells ------------------------------------------------------------------------------


_FIELDS_BY_KEY = {kind: {f.key: f for f in fields} for kind, fields in FIELDS.items()}


class RowCells:
    """The cells of one row by field key, and where to file its problems."""

    def __init__(self, row: SheetRow, columns: ColumnMap, kind: ImportKind, out: Checked):
        self.row = row
        self.columns = columns
        self.fields = _FIELDS_BY_KEY[kind]
        self.out = out
        self.failed = False

    def get(self, key: str) -> str:
        position = self.columns.positions.get(key)
        if position is None or position >= len(self.row.cells):
            return ""
        return self.row.cells[position]

    def column(self, key: str) -> str:
        known = self.fields.get(key)
        if known is not None:
            return self.columns.title(known)
        return FIELD_LABELS.get(key, key)

    def problem(self, key: str, message: str) -> None:
        self.failed = True
        self.out.problems.append(Problem(self.row.number, self.column(key), message))

    def parse(self, key: str, parser: Callable[[str], V]) -> V | None:
        """The parsed cell, or None with a problem recorded when it is invalid."""
        try:
            return parser(self.get(key))
        except InvalidValue as exc:
            self.problem(key, exc.message)
            return None


def choice_parser(enum: type[E], allowed: Sequence[E]) -> Callable[[str], E | None]:
    """Read an enum by its French label or its code, whatever the case and accents."""
    names = {header_key(m.label): m for m in allowed} | {header_key(m.value): m for m in allowed}

    def parse(text: str) -> E | None:
        if not text:
            return None
        member = names.get(header_key(text))
        if member is None:
            choices = ", ".join(f"« {m.label} »" for m in allowed)
            raise InvalidValue(f"« {text} » n'est pas une valeur possible ({choices}).")
        return member

    return parse


def parse_bool(text: str) -> bool | None:
    """Oui/non (yes/no, vrai/faux, 1/0, x); None when empty."""
    key = header_key(text)
    if not key:
        return None
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise InvalidValue(f"« {text} » : indiquez « oui » ou « non ».")


def parse_quota(text: str) -> int | None:
    """A whole number of GB; None when empty."""
    if not text:
        return None
    compact = text.replace(" ", "").replace("\u00a0", "")
    compact = compact.removesuffix("Go").removesuffix("GB").removesuffix("go")
    if compact.endswith(",0") or compact.endswith(".0"):
        compact = compact[:-2]
    if not compact.isascii() or not compact.isdigit():
        raise InvalidValue(f"« {text} » n'est pas un nombre entier de Go.")
    quota = int(compact)
    if not 0 < quota <= MAX_QUOTA_GB:
        raise InvalidValue(f"Le quota doit être compris entre 1 et {MAX_QUOTA_GB} Go.")
    return quota


def chunks(values: Iterable[K]) -> Iterator[list[K]]:
    batch: list[K] = []
    for value in values:
        batch.append(value)
        if len(batch) == IN_CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def first_rows() -> dict[Any, int]:
    """Where each value was first seen in the file: value → row number."""
    return {}


def seen_at(seen: dict[Any, int], value: Any, row: int) -> int | None:
    """The row where ``value`` was already seen, else None (and remember this one)."""
    previous = seen.get(value)
    if previous is None:
        seen[value] = row
    return previous


# --- clients ----------------------------------------------------------------------------

_KINDS = choice_parser(ClientKind, list(ClientKind))
_STATUSES = choice_parser(
    ClientStatus,
    [ClientStatus.PROSPECT, ClientStatus.ACTIVE, ClientStatus.SUSPENDED, ClientStatus.TERMINATED],
)
_PAYMENTS = choice_parser(PaymentMethod, list(PaymentMethod))


def check_clients(session: Session, sheet: Sheet, columns: ColumnMap) -> Checked:
    out = Checked()
    known_sirens = _sirens_in_database(session, sheet, columns)
    codes, sirens = first_rows(), first_rows()
    for row in sheet.rows:
        cells = RowCells(row, columns, ImportKind.CLIENTS, out)
        values = _client_values(session, cells)
        if values is None:
            continue
        if values["code"] is not None:
            earlier = seen_at(codes, values["code"], row.number)
            if earlier is not None:
                cells.problem(
                    "code", f"Le code « {values['code']} » est déjà à la ligne {earlier}."
                )
        siren = values["siren"]
        if siren is not None:
            earlier = seen_at(sirens, siren, row.number)
            owner = known_sirens.get(siren)
            if owner is not None:
                cells.problem("siren", f"Un client a déjà le SIREN {siren} : {owner}.")
            elif earlier is not None:
                cells.problem("siren", f"Le SIREN {siren} est déjà à la ligne {earlier}.")
        if not cells.failed:
            out.values.append(values)
    return out


def _client_values(session: Session, cells: RowCells) -> dict[str, Any] | None:
    kind = cells.parse("kind", _KINDS)
    status = cells.parse("status", _STATUSES)
    payment = cells.parse("payment_method", _PAYMENTS)
    draft = ClientDraft(
        code=cells.get("code") or None,
        kind=kind or ClientKind.BUSINESS,
        name=cells.get("name"),
        legal_form=cells.get("legal_form"),
        siren=cells.get("siren"),
        siret=cells.get("siret"),
        vat_number=cells.get("vat_number"),
        address_line1=cells.get("address_line1"),
        address_line2=cells.get("address_line2"),
        postcode=_postcode(cells.get("postcode"), cells.get("country")),
        city=cells.get("city"),
        country=cells.get("country") or "FR",
        billing_email=cells.get("billing_email"),
        phone=cells.get("phone"),
        payment_method=payment,
        chorus_pro_id=cells.get("chorus_pro_id"),
        chorus_pro_service_code=cells.get("chorus_pro_service_code"),
        status=status or ClientStatus.ACTIVE,
        notes=cells.get("notes"),
    )
    try:
        values, _contacts = validate_client_draft(session, draft, None, set())
    except ValidationError as exc:
        for key, message in exc.errors.items():
            cells.problem(key, message)
        return None
    return None if cells.failed else values


def _postcode(text: str, country: str) -> str:
    """A French postcode typed as a number loses its leading zero (1000 for 01000)."""
    if len(text) == 4 and text.isascii() and text.isdigit() and country.upper() in {"", "FR"}:
        return "0" + text
    return text


def _sirens_in_database(session: Session, sheet: Sheet, columns: ColumnMap) -> dict[str, str]:
    """The file's SIRENs already given to a client: SIREN → « CL00001 — Acme »."""
    position = columns.positions.get("siren")
    if position is None:
        return {}
    sirens: set[str] = set()
    for row in sheet.rows:
        if position < len(row.cells) and row.cells[position]:
            try:
                sirens.add(normalize_siren(row.cells[position]))
            except InvalidValue:
                continue
    found: dict[str, str] = {}
    for batch in chunks(sorted(sirens)):
        stmt = sa.select(Client.siren, Client.code, Client.name).where(Client.siren.in_(batch))
        for siren, code, name in session.execute(stmt.order_by(Client.id)):
            found.setdefault(siren or "", f"{code} — {name}")
    return found


# --- domains ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientRef:
    id: int
    code: str
    name: str


def check_domains(session: Session, sheet: Sheet, columns: ColumnMap) -> Checked:
    out = Checked()
    tlds = refused_tlds(session)
    names_seen, primary_seen = first_rows(), first_rows()
    rows: list[tuple[RowCells, dict[str, Any]]] = []
    for row in sheet.rows:
        cells = RowCells(row, columns, ImportKind.DOMAINS, out)
        raw = cells.get("domain_name")
        name = cells.parse("domain_name", lambda text: normalize_domain_name(text, tlds))
        if name is not None:
            earlier = seen_at(names_seen, name, row.number)
            if earlier is not None:
                cells.problem("domain_name", f"Le domaine « {raw} » est déjà à la ligne {earlier}.")
        primary = cells.parse("is_primary", parse_bool)
        antispam = cells.parse("antispam_enabled", parse_bool)
        if cells.parse("admin_certified", parse_bool) is False:
            cells.problem("admin_certified", ADMIN_CERTIFICATION_REQUIRED)
        values: dict[str, Any] = {
            "name": name,
            "wanted_primary": bool(primary),
            "antispam_enabled": antispam,
        }
        rows.append((cells, values))
    clients = _client_refs(session, [cells.get("client") for cells, _ in rows])
    owners = _domain_owners(session, [v["name"] for _, v in rows if v["name"]])
    for cells, values in rows:
        client = _resolve_client(cells, clients)
        name = values["name"]
        if name and name in owners:
            cells.problem(
                "domain_name",
                f"Le domaine « {display_domain_name(name)} » est déjà enregistré pour le "
                f"client {owners[name]}.",
            )
        if client is not None and values["wanted_primary"]:
            earlier = seen_at(primary_seen, client.id, cells.row.number)
            if earlier is not None:
                cells.problem(
                    "is_primary",
                    f"Un seul domaine principal par client : celui de {client.name} est "
                    f"déjà à la ligne {earlier}.",
                )
        if not cells.failed and client is not None:
            out.values.append(
                {
                    "client_id": client.id,
                    "name": name,
                    "wanted_primary": values["wanted_primary"],
                    "antispam_enabled": values["antispam_enabled"] is not False,
                }
            )
    return out


@dataclass
class ClientIndex:
    by_code: dict[str, ClientRef]
    by_siren: dict[str, list[ClientRef]]


def _siren_or_none(text: str) -> str | None:
    try:
        return normalize_siren(text)
    except InvalidValue:
        return None


def _client_refs(session: Session, texts: list[str]) -> ClientIndex:
    codes = sorted({t.upper() for t in texts if t})
    sirens = sorted({s for t in texts if t and (s := _siren_or_none(t)) is not None})
    index = ClientIndex({}, {})
    columns = (Client.id, Client.code, Client.name, Client.siren)
    for batch in chunks(codes):
        for row in session.execute(sa.select(*columns).where(Client.code.in_(batch))):
            index.by_code[row.code] = ClientRef(row.id, row.code, row.name)
    for batch in chunks(sirens):
        stmt = sa.select(*columns).where(Client.siren.in_(batch)).order_by(Client.id)
        for row in session.execute(stmt):
            index.by_siren.setdefault(row.siren, []).append(ClientRef(row.id, row.code, row.name))
    return index


def _resolve_client(cells: RowCells, index: ClientIndex) -> ClientRef | None:
    text = cells.get("client")
    if not text:
        cells.problem("client", "Indiquez le code du client (ou son SIREN).")
        return None
    found = index.by_code.get(text.upper())
    if found is not None:
        return found
    siren = _siren_or_none(text)
    matches = index.by_siren.get(siren or "", [])
    if len(matches) == 1:
        return matches[0]
    if matches:
        cells.problem(
            "client", f"Plusieurs clients ont le SIREN {siren} : indiquez le code du client."
        )
        return None
    cells.problem("client", f"Aucun client n'a le code ou le SIREN « {text} ».")
    return None


def _domain_owners(session: Session, names: list[str]) -> dict[str, str]:
    """The names already registered: A-label → owner's name."""
    owners: dict[str, str] = {}
    for batch in chunks(sorted(set(names))):
        stmt = (
            sa.select(Domain.name, Client.name)
            .join(Client, Domain.client_id == Client.id)
            .where(Domain.name.in_(batch))
        )
        owners.update({row[0]: row[1] for row in session.execute(stmt)})
    return owners


# --- mailboxes --------------------------------------------------------------------------

_MAILBOX_KINDS = choice_parser(MailboxKind, list(MailboxKind))


@dataclass(frozen=True)
class DomainRef:
    id: int
    client_id: int
    name: str


@dataclass(frozen=True)
class PlanRef:
    id: int
    code: str
    name: str
    product_line_id: int
    mailbox_kind: MailboxKind
    quota_gb: int
    active: bool


@dataclass(frozen=True)
class ContractRef:
    id: int
    number: str
    client_id: int
    product_line_id: int
    closed: bool
    status_label: str


@dataclass
class MailboxWorld:
    """What the mailboxes of the file point to, read once."""

    domains: dict[str, DomainRef]
    plans: dict[str, PlanRef]
    plans_by_name: dict[str, PlanRef]
    contracts: dict[str, ContractRef]
    open_contracts: dict[tuple[int, int], list[ContractRef]]
    taken: set[tuple[int, str]]
    line_names: dict[int, str]
    client_names: dict[int, str]


@dataclass
class _Address:
    local: str
    domain: DomainRef


def check_mailboxes(session: Session, sheet: Sheet, columns: ColumnMap) -> Checked:
    out = Checked()
    hosts: dict[str, str | InvalidValue] = {}
    parsed: list[tuple[RowCells, str | None, str | None]] = []
    for row in sheet.rows:
        cells = RowCells(row, columns, ImportKind.MAILBOXES, out)
        local, host = _split_address(cells, hosts)
        parsed.append((cells, local, host))
    world = _mailbox_world(session, {h for _, _, h in parsed if h is not None})
    addresses = first_rows()
    for cells, local, host in parsed:
        address = _known_address(cells, world, local, host)
        values = _mailbox_values(cells, world, address)
        if address is not None:
            _check_address_free(cells, world, addresses, address)
        if not cells.failed and values is not None:
            out.values.append(values)
    return out


def _check_address_free(
    cells: RowCells, world: MailboxWorld, addresses: dict[Any, int], address: _Address
) -> None:
    """Not in the database (deleted mailboxes included), nor earlier in the file."""
    key = (address.domain.id, address.local)
    earlier = seen_at(addresses, key, cells.row.number)
    if key not in world.taken and earlier is None:
        return
    shown = mailbox_address(address.local, display_domain_name(address.domain.name))
    if key in world.taken:
        cells.problem("address", f"L'adresse {shown} existe déjà.")
    else:
        cells.problem("address", f"L'adresse {shown} est déjà à la ligne {earlier}.")


def _split_address(
    cells: RowCells, hosts: dict[str, str | InvalidValue]
) -> tuple[str | None, str | None]:
    """The normalised local part and domain A-label of the row's address."""
    text = cells.get("address")
    if not text:
        cells.problem("address", "L'adresse de la boîte aux lettres est obligatoire.")
        return None, None
    local_text, at, host_text = text.rpartition("@")
    if not at or not local_text or not host_text:
        cells.problem(
            "address",
            f"« {text} » : indiquez l'adresse complète, partie-locale@domaine "
            "(par exemple jean.dupont@exemple.fr).",
        )
        return None, None
    local = cells.parse("address", lambda _text: normalize_local_part(local_text))
    host = hosts.get(host_text)
    if host is None:
        try:
            host = normalize_domain_name(host_text, refused_tlds=())
        except InvalidValue as exc:
            host = exc
        hosts[host_text] = host
    if isinstance(host, InvalidValue):
        cells.problem("address", host.message)
        return local, None
    return local, host


def _known_address(
    cells: RowCells, world: MailboxWorld, local: str | None, host: str | None
) -> _Address | None:
    if host is None:
        return None
    domain = world.domains.get(host)
    if domain is None:
        cells.problem(
            "address",
            f"Le domaine « {display_domain_name(host)} » n'existe pas : créez-le ou "
            "importez-le d'abord pour son client.",
        )
        return None
    return None if local is None else _Address(local, domain)


def _mailbox_values(
    cells: RowCells, world: MailboxWorld, address: _Address | None
) -> dict[str, Any] | None:
    plan = _plan(cells, world)
    kind = cells.parse("kind", _MAILBOX_KINDS)
    quota = cells.parse("quota_gb", parse_quota)
    errors: dict[str, str] = {}
    display_name = text_field(
        errors, "display_name", cells.get("display_name"), Mailbox.display_name
    )
    for key, message in errors.items():
        cells.problem(key, message)
    if plan is None or address is None:
        return None
    contract = _contract(cells, world, address.domain, plan)
    if contract is None:
        return None
    return {
        "client_id": contract.client_id,
        "product_line_id": contract.product_line_id,
        "contract_id": contract.id,
        "domain_id": address.domain.id,
        "plan_id": plan.id,
        "local_part": address.local,
        "address": mailbox_address(address.local, address.domain.name),
        "display_name": display_name,
        "kind": kind or plan.mailbox_kind,
        "quota_gb": quota if quota is not None else plan.quota_gb,
    }


def _plan(cells: RowCells, world: MailboxWorld) -> PlanRef | None:
    text = cells.get("plan")
    if not text:
        cells.problem("plan", "Indiquez le code de la formule.")
        return None
    plan = world.plans.get(text.upper()) or world.plans_by_name.get(header_key(text))
    if plan is None:
        cells.problem("plan", f"Aucune formule n'a le code « {text} ».")
        return None
    if not plan.active:
        cells.problem("plan", f"La formule {plan.name} n'est plus commercialisée.")
    return plan


def _contract(
    cells: RowCells, world: MailboxWorld, domain: DomainRef, plan: PlanRef
) -> ContractRef | None:
    text = cells.get("contract")
    line = world.line_names.get(plan.product_line_id, "")
    client = world.client_names.get(domain.client_id, "")
    if not text:
        candidates = world.open_contracts.get((domain.client_id, plan.product_line_id), [])
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            cells.problem(
                "contract",
                f"Le client {client} n'a pas de contrat en cours pour la gamme {line} : "
                "créez-le d'abord.",
            )
        else:
            cells.problem(
                "contract",
                f"Le client {client} a plusieurs contrats en cours pour la gamme {line} : "
                "indiquez le numéro du contrat.",
            )
        return None
    contract = world.contracts.get(text.upper())
    if contract is None:
        cells.problem("contract", f"Aucun contrat n'a le numéro « {text} ».")
        return None
    if contract.closed:
        cells.problem(
            "contract",
            f"Le contrat {contract.number} est {contract.status_label} : on ne peut plus y "
            "ajouter de boîte aux lettres.",
        )
    if domain.client_id != contract.client_id:
        cells.problem(
            "address",
            f"Le domaine {display_domain_name(domain.name)} n'appartient pas au client "
            f"du contrat {contract.number} ({world.client_names.get(contract.client_id, '')}).",
        )
    elif plan.product_line_id != contract.product_line_id:
        contract_line = world.line_names.get(contract.product_line_id, "")
        cells.problem(
            "plan",
            f"La formule {plan.name} n'appartient pas à la gamme {contract_line} du contrat.",
        )
    return contract


def _mailbox_world(session: Session, hosts: set[str]) -> MailboxWorld:
    domains: dict[str, DomainRef] = {}
    for batch in chunks(sorted(hosts)):
        stmt = sa.select(Domain.id, Domain.client_id, Domain.name).where(Domain.name.in_(batch))
        for row in session.execute(stmt):
            domains[row.name] = DomainRef(row.id, row.client_id, row.name)
    plans = [
        PlanRef(r.id, r.code, r.name, r.product_line_id, r.mailbox_kind, r.quota_gb, r.active)
        for r in session.execute(
            sa.select(
                Plan.id,
                Plan.code,
                Plan.name,
                Plan.product_line_id,
                Plan.mailbox_kind,
                Plan.quota_gb,
                Plan.active,
            )
        )
    ]
    client_ids = sorted({d.client_id for d in domains.values()})
    contracts = _contracts(session, client_ids)
    open_contracts: dict[tuple[int, int], list[ContractRef]] = {}
    for contract in contracts:
        if not contract.closed:
            key = (contract.client_id, contract.product_line_id)
            open_contracts.setdefault(key, []).append(contract)
    return MailboxWorld(
        domains=domains,
        plans={p.code.upper(): p for p in plans},
        plans_by_name={header_key(p.name): p for p in plans},
        contracts={c.number.upper(): c for c in contracts},
        open_contracts=open_contracts,
        taken=_taken_addresses(session, [d.id for d in domains.values()]),
        line_names={
            r.id: r.name for r in session.execute(sa.select(ProductLine.id, ProductLine.name))
        },
        client_names=_client_names(session, client_ids),
    )


def _contracts(session: Session, client_ids: list[int]) -> list[ContractRef]:
    """Every contract of the clients owning the file's domains."""
    contracts: list[ContractRef] = []
    columns = (
        Contract.id,
        Contract.number,
        Contract.client_id,
        Contract.product_line_id,
        Contract.status,
    )
    for batch in chunks(client_ids):
        stmt = sa.select(*columns).where(Contract.client_id.in_(batch)).order_by(Contract.id)
        for row in session.execute(stmt):
            contracts.append(
                ContractRef(
                    row.id,
                    row.number,
                    row.client_id,
                    row.product_line_id,
                    row.status in CLOSED_CONTRACTS,
                    row.status.label.lower(),
                )
            )
    return contracts


def _taken_addresses(session: Session, domain_ids: list[int]) -> set[tuple[int, str]]:
    """Addresses already used on these domains, deleted mailboxes included."""
    taken: set[tuple[int, str]] = set()
    for batch in chunks(sorted(domain_ids)):
        stmt = sa.select(Mailbox.domain_id, Mailbox.local_part).where(Mailbox.domain_id.in_(batch))
        taken.update((r.domain_id, r.local_part) for r in session.execute(stmt))
    return taken


def _client_names(session: Session, client_ids: list[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    for batch in chunks(client_ids):
        stmt = sa.select(Client.id, Client.name).where(Client.id.in_(batch))
        names.update({r.id: r.name for r in session.execute(stmt)})
    return names


# --- the header -------------------------------------------------------------------------


def header_problems(columns: ColumnMap, header_row: int = 1) -> list[Problem]:
    """Missing required columns, and a field given twice."""
    problems = [
        Problem(
            header_row,
            f.title,
            "Colonne obligatoire absente (en-têtes acceptés : "
            + ", ".join(f"« {h} »" for h in f.headers)
            + ").",
        )
        for f in columns.missing
    ]
    problems.extend(
        Problem(
            header_row,
            again,
            f"Cette colonne désigne la même donnée que la colonne « {first} » : "
            "gardez-en une seule.",
        )
        for first, again in columns.repeated
    )
    return problems


def field_of(kind: ImportKind, key: str) -> Field:
    return next(f for f in FIELDS[kind] if f.key == key)


CHECKS: dict[ImportKind, Callable[[Session, Sheet, ColumnMap], Checked]] = {
    ImportKind.CLIENTS: check_clients,
    ImportKind.DOMAINS: check_domains,
    ImportKind.MAILBOXES: check_mailboxes,
}
