"""Subscribed options: set-up fees and services of a contract, options of a mailbox."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from desktop.domain.enums import ProductLineCode
from desktop.services.demo.builder import DemoBuilder
from desktop.services.demo.catalogue import HE
from desktop.services.demo.tables import Row


def subscribe(
    b: DemoBuilder,
    code: str,
    quantity: int,
    starts: date,
    ends: date | None,
    at: datetime,
    *,
    mailbox: int | None = None,
    contract: int | None = None,
) -> None:
    """Subscribe a mailbox or a contract to the option ``code`` of the catalogue."""
    b.add(
        "subscribed_option",
        {
            "id": b.next_id("subscribed_option"),
            "mailbox_id": mailbox,
            "contract_id": contract,
            "option_id": b.option_ids[code],
            "quantity": Decimal(quantity),
            "starts_on": starts,
            "ends_on": ends,
            **b.stamps(at),
        },
    )


def contract_options(
    b: DemoBuilder, contract: Row, line: ProductLineCode, mailboxes: int, domains: int, at: datetime
) -> None:
    """The set-up fee, sometimes migration, training and domain management, from the start."""
    rng = b.rng
    start: date = contract["service_start"]
    terminated_on: date | None = contract["terminated_on"]

    def once(code: str, quantity: int) -> None:
        subscribe(b, code, quantity, start, start, at, contract=contract["id"])

    once("FEE-HE" if line is HE else "FEE-O365", 1)
    if rng.random() < 0.3:
        once("SRV-MIG", min(mailboxes, rng.randint(1, 30)))
    if rng.random() < 0.05:
        once("SRV-FORM", 1)
    if rng.random() < 0.2:
        ends = terminated_on - timedelta(days=1) if terminated_on else None
        subscribe(b, "OPT-DOM", domains, start, ends, at, contract=contract["id"])


def mailbox_options(
    b: DemoBuilder, box: Row, archive: bool, antivirus: bool, line: ProductLineCode
) -> None:
    """Options of an active user mailbox; ``archive``, ``antivirus``: taken by its contract."""
    rng = b.rng
    start: date = box["activated_on"]
    end: date | None = box["ends_on"] if box["terminated_on"] else None
    at = b.office_time(start)

    def take(code: str, quantity: int = 1) -> None:
        subscribe(b, code, quantity, start, end, at, mailbox=box["id"])

    if archive and rng.random() < 0.6:
        take("OPT-ARCH")
    if antivirus:
        take("OPT-AV")
    if rng.random() < 0.03:
        take("OPT-STO10", rng.choice((1, 1, 2)))
    if line is HE and rng.random() < 0.02:
        take("OPT-SYNC")
