"""What each client ordered and when, before any contract row is written.

Contracts are planned for all clients first, so that their ids and numbers
follow the order dates (one continuous series per year) and so that the
mailboxes can be shared out across all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from desktop.domain.enums import ClientKind, ClientStatus, ContractStatus, ProductLineCode
from desktop.services.clients import CLIENT_CODE_SERIES
from desktop.services.demo.builder import DemoBuilder
from desktop.services.demo.catalogue import HE, O365
from desktop.services.demo.tables import Row

MAILBOXES_PER_CLIENT = 20
"""Average number of mailboxes per client (prospects included)."""
CONTRACT_SERIES = "contract-{year}"
"""Counter series of contract numbers, one per year (``contract-2024``)."""
CONTRACT_NUMBER = "C{year}-{seq:05d}"


@dataclass
class PlannedContract:
    client_index: int
    line: ProductLineCode
    ordered_on: date
    status: ContractStatus
    share: float
    """Part of the client's mailboxes on this contract."""
    id: int = 0
    number: str = ""


def plan_contracts(
    b: DemoBuilder, index: int, client: Row, created_on: date
) -> list[PlannedContract]:
    """One contract per client (none for a prospect), a second one for some businesses."""
    rng, today = b.rng, b.today
    status = client["status"]
    if status is ClientStatus.PROSPECT:
        return []
    ordered = min(today, created_on + timedelta(days=rng.randint(0, 20)))
    line = HE if rng.random() < 0.55 else O365
    first = PlannedContract(index, line, ordered, _contract_status(b, status, ordered), 1.0)
    second_ordered = ordered + timedelta(days=rng.randint(30, 900))
    if (
        status is not ClientStatus.TERMINATED
        and client["kind"] is not ClientKind.CONSUMER
        and rng.random() < 0.25
        and second_ordered <= today
    ):
        return [first, _second_contract(b, first, status, second_ordered)]
    return [first]


def _second_contract(
    b: DemoBuilder, first: PlannedContract, client_status: ClientStatus, ordered: date
) -> PlannedContract:
    """A contract on the other product line, taking part of the first one's mailboxes."""
    rng = b.rng
    first.share = rng.uniform(0.5, 0.9)
    other = O365 if first.line is HE else HE
    status = _contract_status(b, client_status, ordered)
    if status is ContractStatus.ACTIVE and rng.random() < 0.1:
        if (b.today - ordered).days > 400:
            status = ContractStatus.TERMINATED
    return PlannedContract(first.client_index, other, ordered, status, 1.0 - first.share)


def _contract_status(b: DemoBuilder, client_status: ClientStatus, ordered: date) -> ContractStatus:
    if (b.today - ordered).days < 15:
        return ContractStatus.PENDING
    if client_status is ClientStatus.TERMINATED:
        return ContractStatus.TERMINATED
    if client_status is ClientStatus.SUSPENDED:
        return ContractStatus.SUSPENDED
    return ContractStatus.ACTIVE


def number_contracts(b: DemoBuilder, contracts: list[PlannedContract]) -> None:
    """Ids and numbers in order date order (sorts ``contracts``); the counters that follow."""
    contracts.sort(key=lambda c: (c.ordered_on, c.client_index))
    last_seq: dict[int, int] = {}
    for planned in contracts:
        planned.id = b.next_id("contract")
        year = planned.ordered_on.year
        last_seq[year] = last_seq.get(year, 0) + 1
        planned.number = CONTRACT_NUMBER.format(year=year, seq=last_seq[year])
    # Later clients and contracts created by the application continue the demo's series.
    b.add("counter", {"series": CLIENT_CODE_SERIES, "next_value": b.n_clients + 1})
    for year, last in sorted(last_seq.items()):
        b.add("counter", {"series": CONTRACT_SERIES.format(year=year), "next_value": last + 1})


def mailbox_counts(
    b: DemoBuilder, clients: list[Row], contracts: list[PlannedContract]
) -> dict[int, int]:
    """Mailboxes per contract id: a long tail averaging MAILBOXES_PER_CLIENT per client."""
    rng = b.rng
    per_client: dict[int, int] = {}  # consumers: a few mailboxes of the family
    weights: dict[int, float] = {}  # the others share the rest, log-normally
    for index in dict.fromkeys(c.client_index for c in contracts):
        if clients[index]["kind"] is ClientKind.CONSUMER:
            per_client[index] = rng.randint(1, 3)
        else:
            weights[index] = rng.lognormvariate(0.0, 1.25)
    target = max(0, MAILBOXES_PER_CLIENT * len(clients) - sum(per_client.values()))
    spread = sum(weights.values()) or 1.0
    for index, weight in weights.items():
        per_client[index] = max(1, round(weight * target / spread))
    counts: dict[int, int] = {}
    for contract in contracts:
        total = per_client[contract.client_index]
        counts[contract.id] = max(1, round(total * contract.share))
    return counts
