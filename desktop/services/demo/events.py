"""The logs: lifecycle events (status changes, certifications…) and access-code events."""

from __future__ import annotations

from datetime import datetime

from desktop.domain.enums import AccessCodeAction, LifecycleKind
from desktop.services.demo.builder import DemoBuilder
from desktop.services.demo.tables import Row

Subject = dict[str, int]
"""What an event is about: some of ``client_id``, ``contract_id``, ``domain_id``, ``mailbox_id``."""


def event(
    b: DemoBuilder,
    kind: LifecycleKind,
    at: datetime,
    about: Subject,
    reason: str,
    *,
    change: tuple[str | None, str | None] = (None, None),
    by: str | None = None,
) -> None:
    """Log a lifecycle event; its author is a random staff member unless ``by`` is given."""
    old, new = change
    row = {
        "id": b.next_id("lifecycle_event"),
        "kind": kind,
        "client_id": None,
        "contract_id": None,
        "domain_id": None,
        "mailbox_id": None,
        "from_status": None if old is None else str(old),
        "to_status": None if new is None else str(new),
        "at": at,
        "by": by or b.staff(),
        "reason": reason,
    }
    row |= about
    b.add("lifecycle_event", row)


def status_change(
    b: DemoBuilder, about: Subject, at: datetime, old: str | None, new: str, reason: str
) -> None:
    """Log that the status of what ``about`` names went from ``old`` to ``new``."""
    event(b, LifecycleKind.STATUS, at, about, reason, change=(old, new))


def mailbox_status_change(
    b: DemoBuilder, box: Row, at: datetime, old: str | None, new: str, reason: str
) -> None:
    about = {
        "client_id": box["client_id"],
        "contract_id": box["contract_id"],
        "mailbox_id": box["id"],
    }
    status_change(b, about, at, old, new, reason)


def access_code(
    b: DemoBuilder, client: int, action: AccessCodeAction, at: datetime, reason: str
) -> None:
    """Log what happened to a client's access codes."""
    b.add(
        "access_code_event",
        {
            "id": b.next_id("access_code_event"),
            "client_id": client,
            "mailbox_id": None,
            "action": action,
            "at": at,
            "by": b.staff(),
            "reason": reason,
        },
    )


def number_events_in_time_order(b: DemoBuilder) -> None:
    """Lifecycle events were logged client by client: give them ids in time order."""
    events = b.rows["lifecycle_event"]
    events.sort(key=lambda r: (r["at"], r["id"]))
    for new_id, row in enumerate(events, start=1):
        row["id"] = new_id
