"""A shortened billing period: the provider may exceptionally bill some accounts only up
to a day of its choice (HE §9.3); it creates no acquired right.

The monthly run bills the mailbox up to that day instead of its end
(:mod:`desktop.services.billing_run`); invoices already issued stay as they
are (a credit note corrects them if need be). Each change is recorded in the
mailbox's history with its reason; taking the exception back is a change too.
"""

from __future__ import annotations

from datetime import date

from desktop.db.engine import Database
from desktop.db.models import Mailbox
from desktop.domain.clock import utc_now
from desktop.domain.enums import LifecycleKind
from desktop.domain.errors import ValidationError
from desktop.domain.roles import Permission
from desktop.errors import UserError
from desktop.services.access import requires
from desktop.services.conflicts import MAILBOX, Target, load_for_update, write_scope
from desktop.services.events import log_event, mailbox_subject
from desktop.services.fields import required_reason
from desktop.services.mailboxes import MailboxDetails, get_mailbox


@requires(Permission.BILLING)
def shorten_billing(
    db: Database,
    mailbox_id: int,
    last_day: date | None,
    *,
    reason: str,
    expected_version: int,
    actor: str,
) -> MailboxDetails:
    """Bill the mailbox up to ``last_day`` included; None takes the exception back."""
    why = required_reason(reason)
    target = Target(MAILBOX, Mailbox, mailbox_id)
    with write_scope(db, target=target) as session:
        mailbox = load_for_update(session, target, expected_version)
        before = mailbox.billing_ends_on_override
        if last_day is None and before is None:
            raise UserError("La facturation de cette boîte n'est pas raccourcie.")
        if last_day is not None:
            _check_day(mailbox, last_day)
        mailbox.billing_ends_on_override = last_day
        mailbox.updated_by = actor
        mailbox.updated_at = utc_now()
        change = (billed_until(before), billed_until(last_day))
        log_event(
            session,
            LifecycleKind.BILLING_OVERRIDE,
            mailbox_subject(mailbox),
            actor=actor,
            reason=why,
            change=change,
        )
        session.flush()
    return get_mailbox(db, mailbox_id)


def _check_day(mailbox: Mailbox, last_day: date) -> None:
    if mailbox.activated_on is None:
        raise UserError("Cette boîte n'est pas encore ouverte : sa facturation n'a pas commencé.")
    if last_day < mailbox.activated_on:
        raise ValidationError(
            {
                "last_day": "Le dernier jour facturé ne peut pas précéder l'ouverture "
                f"({mailbox.activated_on:%d/%m/%Y})."
            }
        )
    if mailbox.ends_on is not None and last_day >= mailbox.ends_on:
        raise ValidationError(
            {
                "last_day": "Pour raccourcir la facturation, choisissez un jour avant la fin "
                f"de la boîte ({mailbox.ends_on:%d/%m/%Y})."
            }
        )


def billed_until(day: date | None) -> str:
    """How the history shows it: « jusqu'au 31/05/2026 », or « jusqu'à la fin »."""
    return "jusqu'à la fin" if day is None else f"jusqu'au {day:%d/%m/%Y}"
