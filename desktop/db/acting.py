"""Who is acting: the staff login a guarded service runs for, read by the audit trail."""

from __future__ import annotations

from contextvars import ContextVar

# Set by desktop.services.access.requires for the duration of a write service.
acting_user: ContextVar[str | None] = ContextVar("acting_user", default=None)
