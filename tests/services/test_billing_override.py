"""A shortened billing period (HE §9.3): set with a reason, recorded, billed, taken back."""

from __future__ import annotations

from datetime import date

import pytest

from desktop.db.engine import Database
from desktop.domain.enums import LifecycleKind, MailboxStatus
from desktop.domain.errors import ValidationError
from desktop.errors import ConflictError, UserError
from desktop.services.billing_override import shorten_billing
from desktop.services.billing_run import run_billing
from desktop.services.events import Subject, event_history
from desktop.services.mailboxes import get_mailbox
from tests.services import billing_helpers as h
from tests.services.billing_helpers import APRIL, MARCH, D
from tests.services.factories import ACTOR

REASON = "Geste commercial : départ anticipé accepté par la direction"


def world(db: Database) -> tuple[h.Customer, int]:
    h.provider(db)
    line = h.product_line(db)
    return h.customer(db, line), h.plan(db, line)


def setup(db: Database, **account: object) -> int:
    who, plan = world(db)
    return h.account(db, who, "jean", plan, **account)  # type: ignore[arg-type]


def shorten(db: Database, mailbox_id: int, day: date | None, reason: str = REASON) -> object:
    version = get_mailbox(db, mailbox_id).version
    return shorten_billing(
        db, mailbox_id, day, reason=reason, expected_version=version, actor=ACTOR
    )


def bill(db: Database, month: date) -> list[tuple[str, D]]:
    run_billing(db, month, actor=ACTOR, today=month, issue=False)
    return [(line.description, line.amount) for line in h.only_invoice(db, month).lines]


def test_a_shortened_account_is_billed_to_its_last_day_then_no_more(db: Database) -> None:
    box = setup(db)
    shorten(db, box, date(2026, 3, 10))
    assert get_mailbox(db, box).billing_ends_on == date(2026, 3, 10)
    [event] = [
        e
        for e in event_history(db, Subject(mailbox_id=box))
        if e.kind is LifecycleKind.BILLING_OVERRIDE
    ]
    assert (event.by, event.reason, event.from_status, event.to_status) == (
        ACTOR, REASON, "jusqu'à la fin", "jusqu'au 10/03/2026"
    )  # fmt: skip
    assert bill(db, MARCH) == [
        ("Boîte jean@exemple.fr — Exchange 50 Go — mars 2026 (prorata 10/31 jours)", D("3.87"))
    ]
    run_billing(db, APRIL, actor=ACTOR, today=APRIL, issue=False)
    assert h.invoices(db, APRIL) == []
    assert get_mailbox(db, box).status is MailboxStatus.ACTIVE  # the service goes on


def test_taking_the_exception_back(db: Database) -> None:
    box = setup(db)
    shorten(db, box, date(2026, 3, 10))
    shorten(db, box, None, reason="Erreur de saisie")
    assert get_mailbox(db, box).billing_ends_on is None
    assert bill(db, MARCH) == [("Boîte jean@exemple.fr — Exchange 50 Go — mars 2026", D("12.00"))]
    changes = [
        (e.from_status, e.to_status)
        for e in event_history(db, Subject(mailbox_id=box))
        if e.kind is LifecycleKind.BILLING_OVERRIDE
    ]
    assert changes == [
        ("jusqu'au 10/03/2026", "jusqu'à la fin"),
        ("jusqu'à la fin", "jusqu'au 10/03/2026"),
    ]  # newest first
    with pytest.raises(UserError, match="n'est pas raccourcie"):
        shorten(db, box, None)


def test_refusals_change_nothing(db: Database) -> None:
    who, plan = world(db)
    box = h.account(
        db, who, "jean", plan, activated_on=date(2026, 1, 15), ends_on=date(2026, 6, 30)
    )
    for day, message in (
        (date(2026, 1, 14), "ne peut pas précéder l'ouverture (15/01/2026)"),
        (date(2026, 6, 30), "avant la fin de la boîte (30/06/2026)"),
    ):
        with pytest.raises(ValidationError) as refused:
            shorten(db, box, day)
        assert message in refused.value.errors["last_day"]
    with pytest.raises(ValidationError) as refused:
        shorten(db, box, date(2026, 3, 1), reason="  ")
    assert "motif" in refused.value.errors["reason"]
    stale = get_mailbox(db, box).version
    shorten(db, box, date(2026, 3, 1))
    with pytest.raises(ConflictError):
        shorten_billing(
            db, box, date(2026, 4, 1), reason=REASON, expected_version=stale, actor=ACTOR
        )
    assert get_mailbox(db, box).billing_ends_on == date(2026, 3, 1)

    requested = h.account(db, who, "anne", plan, activated_on=None, status=MailboxStatus.REQUESTED)
    with pytest.raises(UserError, match="pas encore ouverte"):
        shorten(db, requested, date(2026, 3, 1))
