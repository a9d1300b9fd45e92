"""« Raccourcir la facturation… » on a mailbox record: the provider's exception of
HE §9.3 (:mod:`desktop.services.billing_override`), and taking it back."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from desktop.domain.clock import paris_today
from desktop.domain.enums import MailboxStatus
from desktop.domain.periods import last_day_of_month
from desktop.domain.roles import Permission
from desktop.services.billing_override import shorten_billing
from desktop.services.mailboxes import MailboxDetails
from desktop.ui.dialogs.reason_dialog import ReasonDialog, Reasoned
from desktop.ui.formatting import french_date

if TYPE_CHECKING:
    from desktop.ui.views.base import RecordView

SHORTEN = "Raccourcir la facturation…"
RESTORE = "Rétablir la facturation…"
INTRO = (
    "À titre exceptionnel, la boîte n'est facturée que jusqu'au jour choisi (HE §9.3) ; "
    "cela ne crée aucun droit acquis. Les factures déjà émises restent telles quelles : "
    "faites un avoir si elles couvrent des jours après ce jour."
)


def add_billing_override_actions(view: RecordView, record: MailboxDetails) -> None:
    if record.activated_on is None or record.status is MailboxStatus.DELETED:
        return
    view.add_button(SHORTEN, lambda: shorten(view, record), needs=Permission.BILLING)
    if record.billing_ends_on is not None:
        view.add_button(RESTORE, lambda: restore(view, record), needs=Permission.BILLING)


def shorten(view: RecordView, record: MailboxDetails) -> ReasonDialog:
    return _dialog(view, record, SHORTEN, "Raccourcir", _default_day(record))


def restore(view: RecordView, record: MailboxDetails) -> ReasonDialog:
    return _dialog(view, record, RESTORE, "Rétablir", None)


def _dialog(
    view: RecordView, record: MailboxDetails, title: str, verb: str, day: date | None
) -> ReasonDialog:
    def submit(typed: Reasoned) -> MailboxDetails:
        return shorten_billing(
            view.db,
            record.id,
            typed.on if day is not None else None,
            reason=typed.reason,
            expected_version=record.version,
            actor=view.actor,
        )

    dialog = ReasonDialog(
        view,
        view.worker,
        title=f"{title.rstrip('…')} — {record.display_address}",
        action=verb,
        submit=submit,
        intro=INTRO if day is not None else "La boîte sera de nouveau facturée jusqu'à sa fin.",
        date_label="Dernier jour facturé" if day is not None else None,
        on=day,
        date_key="last_day",
    )
    dialog.completed.connect(lambda details: view.done(done_text(details)))
    view.open_dialog(dialog)
    return dialog


def done_text(details: MailboxDetails) -> str:
    if details.billing_ends_on is None:
        return f"{details.display_address} : facturée de nouveau jusqu'à sa fin."
    return f"{details.display_address} : facturée jusqu'au {french_date(details.billing_ends_on)}."


def _default_day(record: MailboxDetails) -> date:
    """The last day of this month, unless the mailbox ends sooner."""
    today = paris_today()
    end = today.replace(day=last_day_of_month(today.year, today.month))
    if record.ends_on is not None:
        end = min(end, record.ends_on)
    return record.billing_ends_on or end
