"""A contract's mailboxes: users on one or two plans, shared boxes, rooms and equipment."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.domain.enums import MailboxKind
from desktop.services.demo.builder import DemoBuilder
from desktop.services.demo.catalogue import HE
from desktop.services.demo.contracts import ContractLife
from desktop.services.demo.mailbox_history import mailbox_history
from desktop.services.demo.options import mailbox_options
from desktop.services.demo.tables import Row
from desktop.services.demo.text import person_slug
from desktop.services.demo.words import EQUIPMENTS, ROOMS, SHARED_BOXES

O365_PLANS = ("O365-EOP1", "O365-BB", "O365-BS", "O365-BP", "O365-E3")
O365_PLAN_WEIGHTS = (25, 30, 30, 8, 7)
O365_PREMIUM = {"O365-EOP1": "O365-EOP2", "O365-BB": "O365-BS"}
"""The plan a few users of a contract take above its main one (else O365-E3)."""
RESOURCES: dict[MailboxKind, tuple[str, tuple[tuple[str, str], ...]]] = {
    MailboxKind.SHARED: ("SHR", SHARED_BOXES),
    MailboxKind.ROOM: ("ROOM", ROOMS),
    MailboxKind.EQUIPMENT: ("EQP", EQUIPMENTS),
}
"""Per kind of non-user mailbox: its plan code's suffix and its (local part, name) pool."""


@dataclass(frozen=True)
class _Batch:
    """What the mailboxes of one contract share."""

    life: ContractLife
    domains: list[Row]
    count: int
    main_plan: str
    premium_plan: str
    legacy: bool
    """Exchange 2010: no rooms nor equipment."""
    scheme: str
    """How local parts are made from names: ``first.last``, ``f.last`` or ``first``."""
    archive: bool
    antivirus: bool

    @property
    def resource_prefix(self) -> str:
        if self.legacy:
            return "HEX10"
        return "HEX13" if self.life.line is HE else "O365"


def build_mailboxes(b: DemoBuilder, life: ContractLife, domains: list[Row], count: int) -> None:
    """``count`` mailboxes on the contract, with their history and options."""
    batch = _batch(b, life, domains, count)
    for position in range(count):
        box = _new_mailbox(b, batch, position)
        mailbox_history(b, box, life, position)
        b.add("mailbox", box)
        if box["kind"] is MailboxKind.USER and box["activated_on"] is not None:
            mailbox_options(b, box, batch.archive, batch.antivirus, life.line)


def _batch(b: DemoBuilder, life: ContractLife, domains: list[Row], count: int) -> _Batch:
    rng = b.rng
    main_plan, premium_plan = _pick_plans(b, life)
    scheme = rng.choices(("first.last", "f.last", "first"), (80, 12, 8))[0]
    if scheme == "first" and count > 10:
        scheme = "first.last"
    return _Batch(
        life=life,
        domains=domains,
        count=count,
        main_plan=main_plan,
        premium_plan=premium_plan,
        legacy=main_plan.startswith("HEX10"),
        scheme=scheme,
        # Contract-wide options: a client takes an option for many of its users or none.
        archive=rng.random() < 0.1,
        antivirus=rng.random() < 0.08,
    )


def _pick_plans(b: DemoBuilder, life: ContractLife) -> tuple[str, str]:
    """(main user plan, premium user plan) of a contract."""
    rng = b.rng
    if life.line is HE:
        start = life.row["service_start"]
        legacy = start is not None and (b.today - start).days > 3 * 365
        if legacy and rng.random() < 0.6:
            return rng.choice(("HEX10-ESS", "HEX10-STD")), "HEX10-STD"
        return "HEX13-STD", "HEX13-PRE"
    main = rng.choices(O365_PLANS, O365_PLAN_WEIGHTS)[0]
    return main, O365_PREMIUM.get(main, "O365-E3")


def _new_mailbox(b: DemoBuilder, batch: _Batch, position: int) -> Row:
    """The mailbox row without its dates and status."""
    rng = b.rng
    kind = _kind(b, batch, position)
    domains = batch.domains
    domain = domains[0] if len(domains) == 1 or rng.random() < 0.8 else rng.choice(domains)
    if kind is MailboxKind.USER:
        plan_code, local, display = _user(b, batch)
    else:
        suffix, pool = RESOURCES[kind]
        plan_code = f"{batch.resource_prefix}-{suffix}"
        local, display = pool[rng.randrange(len(pool))]
    local = _unique_local(domain, local)
    plan_id = b.plan_ids[plan_code]
    contract = batch.life.row
    return {
        "id": b.next_id("mailbox"),
        "client_id": contract["client_id"],
        "product_line_id": contract["product_line_id"],
        "contract_id": contract["id"],
        "domain_id": domain["id"],
        "plan_id": plan_id,
        "local_part": local,
        "address": f"{local}@{domain['name']}",
        "display_name": display,
        "kind": kind,
        "quota_gb": b.plan_quota[plan_id],
        "requested_on": None,
        "activated_on": None,
        "non_renewal_requested_on": None,
        "ends_on": None,
        "terminated_on": None,
        "deleted_on": None,
        "password_issued_at": None,
        "password_issued_by": None,
    }


def _kind(b: DemoBuilder, batch: _Batch, position: int) -> MailboxKind:
    """Users, and from five mailboxes on, some shared boxes and resources (not the first)."""
    if batch.count < 5 or position == 0:
        return MailboxKind.USER
    draw = b.rng.random()
    if draw < 0.07:
        return MailboxKind.SHARED
    if draw < 0.10:
        return MailboxKind.SHARED if batch.legacy else MailboxKind.ROOM
    if draw < 0.12:
        return MailboxKind.SHARED if batch.legacy else MailboxKind.EQUIPMENT
    return MailboxKind.USER


def _user(b: DemoBuilder, batch: _Batch) -> tuple[str, str, str]:
    """(plan code, local part, display name) of a user's mailbox."""
    plan_code = batch.premium_plan if b.rng.random() < 0.15 else batch.main_plan
    first, last = b.first_name(), b.last_name()
    if batch.scheme == "first.last":
        local = f"{person_slug(first)}.{person_slug(last)}"
    elif batch.scheme == "f.last":
        local = f"{person_slug(first)[0]}.{person_slug(last)}"
    else:
        local = person_slug(first)
    return plan_code, local, f"{first} {last}"


def _unique_local(domain: Row, local: str) -> str:
    """``local``, or ``local2``, ``local3``… if already used on the domain."""
    used: set[str] = domain.setdefault("_locals", set())
    candidate, suffix = local, 2
    while candidate in used:
        candidate = f"{local}{suffix}"
        suffix += 1
    used.add(candidate)
    return candidate
