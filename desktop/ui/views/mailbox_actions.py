"""A mailbox's changes of state, one button per move the lifecycle allows (rules §3-4).

Each move asks its reason (and its date when the move dates something) in the
reason dialog; a non-renewal request refused by the renewal floor offers a
manager's exception; deleting the data asks to confirm the client's own backup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from desktop.domain.clock import paris_today
from desktop.domain.enums import MailboxStatus
from desktop.domain.lifecycle import ACTION_LABELS, allowed_targets
from desktop.domain.roles import Permission
from desktop.errors import UserError
from desktop.services.lifecycle import BACKUP_WARNING, FloorRefused, change_mailbox_status
from desktop.services.mailboxes import MailboxDetails
from desktop.ui.dialogs.reason_dialog import ReasonDialog, Reasoned
from desktop.ui.formatting import french_date

if TYPE_CHECKING:
    from desktop.ui.views.base import RecordView

S = MailboxStatus

Move = Callable[[Reasoned, "str | None"], MailboxDetails]
"""The move, given what was typed and the manager's exception to the floor (if any)."""

BACKUP_CONFIRMATION = "Le client a confirmé disposer de sa propre sauvegarde"
EXCEPTION_BUTTON = "Accorder une dérogation…"

_DATE_LABELS = {
    S.NON_RENEWAL_REQUESTED: "Demande reçue le",
    S.TERMINATED: "Résiliée le",
    S.DELETED: "Supprimée le",
}
"""The date each move records (suspending or resuming dates nothing: the log does)."""

_INTROS: dict[tuple[MailboxStatus | None, MailboxStatus], str] = {
    (S.REQUESTED, S.ACTIVE): (
        "Ouvrir la boîte : le service est en place. Son engagement de 12 mois court "
        "à partir de sa date d'ouverture (HE §9.2)."
    ),
    (S.SUSPENDED, S.ACTIVE): "Rétablir la boîte suspendue.",
    (S.NON_RENEWAL_REQUESTED, S.ACTIVE): (
        "Le client retire sa demande de non-renouvellement : la boîte sera renouvelée à "
        "l'échéance avec le contrat."
    ),
    (None, S.SUSPENDED): "Suspendre la boîte jusqu'à son rétablissement.",
    (None, S.NON_RENEWAL_REQUESTED): (
        "Le client demande, par e-mail ou courrier, de ne pas renouveler cette boîte : elle "
        "prend fin à l'échéance de la période en cours, jamais avant la fin de son propre "
        "engagement de 12 mois. Un minimum de boîtes doit être renouvelé (HE §9.3)."
    ),
    (S.REQUESTED, S.TERMINATED): "Annuler la demande : la boîte ne sera pas ouverte.",
    (None, S.TERMINATED): "Résilier la boîte : le service s'arrête à la date indiquée.",
    (None, S.DELETED): "Supprimer définitivement les données de la boîte.",
}


def targets(status: MailboxStatus) -> list[MailboxStatus]:
    """The moves offered from ``status``, in the order of the lifecycle."""
    order = list(MailboxStatus)
    return sorted(allowed_targets(status), key=order.index)


def add_mailbox_actions(view: RecordView, record: MailboxDetails) -> None:
    for target in targets(record.status):
        view.add_button(
            f"{ACTION_LABELS[target]}…",
            lambda t=target: change_status(view, record, t),
            needs=(Permission.CUSTOMERS, Permission.DELETE)
            if target is S.DELETED
            else Permission.CUSTOMERS,
        )


def change_status(view: RecordView, record: MailboxDetails, target: MailboxStatus) -> ReasonDialog:
    """The dialog of one move; once made, the view says so and everything is refreshed."""
    deleting = target is S.DELETED
    date_label = _DATE_LABELS.get(target)
    if target is S.ACTIVE and record.status is S.REQUESTED:
        date_label = "Ouverte le"
    intro = _INTROS.get((record.status, target)) or _INTROS.get((None, target), "")
    verb = ACTION_LABELS[target]

    def move(typed: Reasoned, floor_exception: str | None) -> MailboxDetails:
        return change_mailbox_status(
            view.db,
            record.id,
            target,
            reason=typed.reason,
            expected_version=record.version,
            actor=view.actor,
            on=typed.on,
            backup_confirmed=typed.confirmed,
            floor_exception=floor_exception,
        )

    dialog = ReasonDialog(
        view,
        view.worker,
        title=f"{verb} — {record.display_address}",
        action=verb,
        submit=lambda typed: move(typed, None),
        intro=intro,
        warning=BACKUP_WARNING if deleting else None,
        date_label=date_label,
        on=paris_today() if date_label else None,
        confirm=BACKUP_CONFIRMATION if deleting else None,
        confirm_key="backup_confirmed",
        on_refusal=lambda d, error: _offer_exception(view, d, error, move),
    )
    dialog.completed.connect(lambda details: view.done(moved_text(details)))
    view.open_dialog(dialog)
    return dialog


def moved_text(details: MailboxDetails) -> str:
    text = f"{details.display_address} : {details.status.label.lower()}."
    if details.status is S.NON_RENEWAL_REQUESTED and details.ends_on is not None:
        text += f" Elle prendra fin le {french_date(details.ends_on)}."
    return text


def _offer_exception(view: RecordView, dialog: ReasonDialog, error: UserError, move: Move) -> bool:
    """The floor refused the request: a manager may grant an exception, with a reason."""
    if not isinstance(error, FloorRefused):
        return False
    dialog.show_general(error.message)
    if not dialog.offers:
        dialog.offer(EXCEPTION_BUTTON, lambda: grant_exception(view, dialog, error, move))
    return True


def grant_exception(
    view: RecordView, dialog: ReasonDialog, error: FloorRefused, move: Move
) -> ReasonDialog:
    """Ask the manager's reason, then make the request again with the exception."""
    typed = dialog.value()
    exception = ReasonDialog(
        dialog,
        view.worker,
        title="Dérogation au plancher de renouvellement",
        action="Accorder la dérogation",
        submit=lambda granted: move(typed, granted.reason),
        intro=(
            f"À l'échéance, {error.renewing} boîte(s) sur {error.active} seraient renouvelées, "
            f"pour un minimum de {error.floor}. Un responsable peut accorder une dérogation : "
            "elle est enregistrée dans l'historique avec son motif."
        ),
        reason_label="Motif de la dérogation",
        reason_hint="Qui l'accorde et pourquoi (ex. : accord du gérant, départ de salariés…)",
    )
    exception.completed.connect(dialog.complete)
    dialog.follow_up = exception
    exception.open()
    return exception
