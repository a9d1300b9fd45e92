"""The record of a failure notification: its times, its deadlines in colour, close/reopen."""

from __future__ import annotations

import html
from collections.abc import Sequence

from desktop.domain.enums import IncidentStatus
from desktop.domain.roles import Permission
from desktop.services.incidents import (
    IncidentDetails,
    close_incident,
    get_incident,
    reopen_incident,
)
from desktop.ui.db_worker import Job
from desktop.ui.dialogs.reason_dialog import ReasonDialog
from desktop.ui.formatting import (
    french_datetime,
    support_left_colour,
    support_left_text,
)
from desktop.ui.tabs.specs import RecordKind
from desktop.ui.views.base import Field, RecordView, link, status_html, text
from desktop.ui.widgets.confirm import confirm

CLOSE = "Clore"
REOPEN = "Rouvrir…"


def coloured(colour: str, value: str) -> str:
    return f'<span style="color:{colour}">{html.escape(value)}</span>'


def deadline_html(record: IncidentDetails) -> str:
    """« 26/05/2026 16:30 — 3 h 05 ouvrées restantes », in colour; once restored, met or not."""
    clock = record.clock
    due = french_datetime(clock.restoration_deadline)
    if record.restored_at is None:
        state = support_left_text(clock.support_left, clock.breached)
    else:
        state = "objectif non tenu" if clock.breached else "objectif tenu"
    colour = support_left_colour(clock.support_left, clock.breached)
    return f"{html.escape(due)} — {coloured(colour, state)}"


class IncidentView(RecordView):
    kind = RecordKind.INCIDENT
    editable = True

    def fetch(self) -> IncidentDetails:
        return get_incident(self.db, self.record_id)

    def title(self, record: IncidentDetails) -> str:
        return f"Notification de panne {record.number}"

    def fields(self, record: IncidentDetails) -> Sequence[Field]:
        mailboxes = ", ".join(address for _id, address in record.mailboxes)
        fields: list[Field] = [
            ("Client", link(RecordKind.CLIENT, record.client_id, record.client_name)),
            ("État", status_html(record.status)),
            ("Gamme", text(record.product_line_name)),
            ("Domaine", text(record.domain_name)),
            ("Boîtes concernées", text(mailboxes or None)),
            ("Canal", text(record.channel)),
            ("Reçue le", text(french_datetime(record.received_at))),
            ("Prise en compte le", text(french_datetime(record.acknowledged_at))),
            ("Rétablie le", text(french_datetime(record.restored_at))),
            ("Délai de rétablissement", deadline_html(record)),
        ]
        if record.equipment_replacement and record.clock.replacement_deadline is not None:
            due = french_datetime(record.clock.replacement_deadline)
            fields.append(("Remplacement d'équipement", text(f"attendu avant le {due}")))
        fields += [
            ("Description", html.escape(record.description).replace("\n", "<br>")),
            ("Cause", text(record.cause)),
            ("Cause excusable", text(record.excusable_category or "Aucune")),
            (
                "Modifiée",
                html.escape(
                    f"le {french_datetime(record.updated_at)}"
                    + (f" par {record.updated_by}" if record.updated_by else "")
                ),
            ),
        ]
        return fields

    def add_actions(self, record: IncidentDetails) -> None:
        self.edit_button.setEnabled(record.status is not IncidentStatus.CLOSED)
        if record.status is IncidentStatus.CLOSED:
            self.add_button(REOPEN, lambda: self.reopen(record), needs=Permission.INCIDENTS)
        else:
            self.add_button(
                CLOSE,
                lambda: self.close_incident(record),
                enabled=record.status is IncidentStatus.RESTORED,
                tip="Une notification se clôt une fois le service rétabli.",
                needs=Permission.INCIDENTS,
            )

    def close_incident(self, record: IncidentDetails) -> None:
        if not confirm(
            self,
            f"Clore {record.number}",
            f"Clore la notification {record.number} ?",
            yes="Clore",
            detail="Elle ne pourra plus être modifiée, sauf à la rouvrir.",
        ):
            return
        self.worker.submit(
            Job(
                work=lambda: close_incident(
                    self.db, record.id, expected_version=record.version, actor=self.actor
                ),
                on_done=lambda _d: self.done(f"Notification {record.number} close."),
                on_error=self.report,
            )
        )

    def reopen(self, record: IncidentDetails) -> ReasonDialog:
        dialog = ReasonDialog(
            self,
            self.worker,
            title=f"Rouvrir {record.number}",
            action="Rouvrir",
            intro=f"La notification {record.number} redevient modifiable.",
            reason_hint="Pourquoi la rouvrir (panne revenue, erreur de saisie…)",
            submit=lambda typed: reopen_incident(
                self.db,
                record.id,
                reason=typed.reason,
                expected_version=record.version,
                actor=self.actor,
            ),
        )
        dialog.completed.connect(lambda _d: self.done(f"Notification {record.number} rouverte."))
        self.open_dialog(dialog)
        return dialog
