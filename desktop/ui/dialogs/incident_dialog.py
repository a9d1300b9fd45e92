"""Create or edit a failure notification: who, what is affected, when, why.

The number (ND-2026-00042) is given when the notification is saved, to tell
the client. Times are typed in Paris time to the minute; the restoration
deadline (support hours after receipt) shows as soon as the receipt is typed.
Excusable causes (i–vi) leave the downtime out of the availability.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.clock import utc_now
from desktop.domain.enums import ExcusableCategory, IncidentChannel
from desktop.domain.errors import InvalidValue
from desktop.services.choices import (
    Choice,
    domain_choices,
    mailbox_choices,
    product_line_choices,
)
from desktop.services.incidents import (
    IncidentDetails,
    IncidentDraft,
    Objectives,
    create_incident,
    get_incident,
    objectives,
    update_incident,
)
from desktop.ui.formatting import french_datetime, hours_minutes
from desktop.ui.widgets.choice_box import ChoiceBox
from desktop.ui.widgets.client_field import ClientRecordDialog, hint_label
from desktop.ui.widgets.datetime_field import DateTimeField, datetime_value
from desktop.ui.widgets.enum_combo import EnumCombo
from desktop.ui.widgets.validated_form import required

if TYPE_CHECKING:
    from desktop.db.engine import Database

NOT_EXCUSABLE = "Aucune : l'interruption compte dans la disponibilité"
DESCRIPTION_REQUIRED = "Décrivez la panne signalée."
_UNSET = -1


def product_line_options(db: Database) -> tuple[Choice, ...]:
    return tuple(Choice(line.id, line.name) for line in product_line_choices(db))


class MailboxPicker(QWidget):
    """The mailboxes a notification names: a filter and a checkable list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filtrer les adresses…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter)
        self.list = QListWidget()
        self.list.setMinimumHeight(90)
        self.list.setMaximumHeight(120)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter)
        layout.addWidget(self.list)

    def set_choices(self, choices: tuple[Choice, ...], checked: set[int]) -> None:
        self.list.clear()
        for choice in choices:
            text = f"{choice.label} ({choice.detail})" if choice.detail else choice.label
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, choice.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, choice.group_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if choice.id in checked else Qt.CheckState.Unchecked
            )
            self.list.addItem(item)
        self._filter()

    def checked_ids(self) -> tuple[int, ...]:
        return tuple(
            self.list.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.list.count())
            if self.list.item(row).checkState() is Qt.CheckState.Checked
        )

    def set_checked(self, mailbox_id: int, checked: bool) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == mailbox_id:
                state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
                item.setCheckState(state)

    def show_domain(self, domain_id: int | None) -> None:
        """Only the mailboxes of ``domain_id`` (all when None); hidden ones are unticked."""
        for row in range(self.list.count()):
            item = self.list.item(row)
            other = domain_id is not None and item.data(Qt.ItemDataRole.UserRole + 1) != domain_id
            if other:
                item.setCheckState(Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole + 2, other)
        self._filter()

    def _filter(self) -> None:
        needle = self.filter.text().strip().lower()
        for row in range(self.list.count()):
            item = self.list.item(row)
            other_domain = bool(item.data(Qt.ItemDataRole.UserRole + 2))
            item.setHidden(other_domain or needle not in item.text().lower())


class IncidentDialog(ClientRecordDialog):
    """A new notification (of ``client_id`` if given, locked) or the notification ``details``."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        db: Database,
        details: IncidentDetails | None = None,
        client_id: int | None = None,
        actor: str,
        now: datetime | None = None,
    ) -> None:
        title = "Nouvelle notification de panne" if details is None else "Notification de panne"
        super().__init__(parent, title=title)
        self.db = db
        self.actor = actor
        self.details = details
        self.goals: Objectives = objectives(db)
        self._listed_client: int | None = _UNSET
        self._build(now)
        self.start(details, client_id, self.description)

    # --- building -----------------------------------------------------------------------

    def _build(self, now: datetime | None) -> None:
        form = self.form
        self.client = self.make_client_box()
        self.product_line = ChoiceBox(placeholder="Gamme concernée")
        self.product_line.set_choices(product_line_options(self.db))
        self.domain = ChoiceBox(placeholder="Domaine concerné (facultatif)")
        self.mailboxes = MailboxPicker()
        self.channel = EnumCombo(IncidentChannel, none_label="—")
        self.received_at = DateTimeField(now or utc_now())
        self.deadline = hint_label()
        self.acknowledged_at = DateTimeField()
        self.restored_at = DateTimeField()
        self.description = QPlainTextEdit()
        self.description.setTabChangesFocus(True)
        self.description.setPlaceholderText("Ce que le client signale, ce qui est constaté…")
        self.description.setFixedHeight(self.description.fontMetrics().lineSpacing() * 4 + 14)
        self.cause = QLineEdit()
        self.cause.setMaxLength(500)
        self.cause.setPlaceholderText("Cause identifiée (une fois connue)")
        self.excusable = EnumCombo(ExcusableCategory, none_label=NOT_EXCUSABLE)
        self.excusable.setToolTip(
            "Les cas i à vi du contrat : l'interruption n'ouvre pas droit à un avoir "
            "et ne compte pas dans la disponibilité."
        )
        self.equipment = QCheckBox("Remplacement d'équipement nécessaire")
        self.equipment_found_at = DateTimeField()
        self.equipment_note = hint_label()

        layout = self.client_layout()
        form.add_row(layout, "Gamme", form.add("product_line_id", self.product_line))
        form.add_row(layout, "Domaine", form.add("domain_id", self.domain))
        layout.addRow("Boîtes concernées", self.mailboxes)
        form.add_row(layout, "Canal", form.add("channel", self.channel, _channel_required))
        form.add_row(
            layout,
            "Reçue le",
            form.add(
                "received_at",
                self.received_at,
                datetime_value("Indiquez quand la panne a été signalée ou constatée."),
            ),
            note=self.deadline,
        )
        form.add_row(
            layout,
            "Prise en compte le",
            form.add("acknowledged_at", self.acknowledged_at, datetime_value()),
        )
        form.add_row(
            layout, "Rétablie le", form.add("restored_at", self.restored_at, datetime_value())
        )
        form.add_row(
            layout,
            "Description",
            form.add("description", self.description, required(DESCRIPTION_REQUIRED)),
        )
        form.add_row(layout, "Cause", form.add("cause", self.cause))
        form.add_row(layout, "Cause excusable", form.add("excusable_category", self.excusable))
        form.add_row(layout, "", form.add("equipment_replacement", self.equipment))
        form.add_row(
            layout,
            "Panne constatée le",
            form.add("equipment_found_at", self.equipment_found_at, datetime_value()),
            note=self.equipment_note,
        )
        self.finish_layout(layout)

        self.client.choice_changed.connect(self._client_changed)
        self.domain.choice_changed.connect(self._domain_changed)
        self.received_at.textChanged.connect(self._show_deadlines)
        self.equipment.toggled.connect(self._show_deadlines)
        self.equipment_found_at.textChanged.connect(self._show_deadlines)
        self._show_deadlines()
        self.resize(760, 680)

    # --- cascades -----------------------------------------------------------------------

    def _client_changed(self) -> None:
        client_id = self.client.current_id()
        if client_id == self._listed_client:
            return
        self._listed_client = client_id
        domains = domain_choices(self.db, client_id) if client_id is not None else ()
        boxes = mailbox_choices(self.db, client_id) if client_id is not None else ()
        keep = {box_id for box_id, _ in self.details.mailboxes} if self.details else set()
        if not self._same_client(client_id):
            keep = set()
        with self.form.quietly():
            self.domain.set_choices(domains, selected=self._kept_domain(client_id))
            self.mailboxes.set_choices(boxes, keep)
        self._domain_changed()

    def _same_client(self, client_id: int | None) -> bool:
        return self.details is not None and self.details.client_id == client_id

    def _kept_domain(self, client_id: int | None) -> int | None:
        return self.details.domain_id if self.details and self._same_client(client_id) else None

    def _domain_changed(self) -> None:
        self.mailboxes.show_domain(self.domain.current_id())

    def _show_deadlines(self) -> None:
        received = self.received_at.moment()
        if received is None:
            self.deadline.setText("")
        else:
            due = self.goals.calendar.add(received, self.goals.restoration)
            hours = hours_minutes(self.goals.restoration).replace(" h 00", " h")
            self.deadline.setText(
                f"Rétablissement attendu avant le {french_datetime(due)} ({hours} ouvrées)."
            )
        found = self.equipment_found_at.moment() or received
        self.equipment_found_at.setEnabled(self.equipment.isChecked())
        if self.equipment.isChecked() and found is not None:
            self.equipment_note.setText(
                f"Remplacement attendu avant le {french_datetime(found + self.goals.replacement)}."
            )
        else:
            self.equipment_note.setText("")

    # --- RecordDialog -------------------------------------------------------------------

    def build_draft(self) -> IncidentDraft:
        value = self.form.value
        return IncidentDraft(
            client_id=value("client_id"),
            product_line_id=value("product_line_id"),
            domain_id=value("domain_id"),
            mailbox_ids=self.mailboxes.checked_ids(),
            channel=value("channel"),
            received_at=value("received_at"),
            description=value("description"),
            acknowledged_at=value("acknowledged_at"),
            restored_at=value("restored_at"),
            cause=(value("cause") or "").strip() or None,
            excusable_category=value("excusable_category"),
            equipment_replacement=value("equipment_replacement"),
            equipment_found_at=value("equipment_found_at") if self.equipment.isChecked() else None,
        )

    def write(self, draft: IncidentDraft) -> IncidentDetails:
        if self.details is None:
            return create_incident(self.db, draft, actor=self.actor)
        return update_incident(
            self.db, self.details.id, draft, expected_version=self.details.version, actor=self.actor
        )

    def reload(self) -> IncidentDetails:
        assert self.details is not None
        return get_incident(self.db, self.details.id)

    def fill(self, details: IncidentDetails) -> None:
        self.details = details
        self.setWindowTitle(f"Notification {details.number} — {details.client_name}")
        owner = Choice(details.client_id, details.client_name)
        self.client.set_choices([owner], selected=owner.id)
        self._listed_client = _UNSET
        self._client_changed()
        self.product_line.select(details.product_line_id)
        self.domain.select(details.domain_id)
        self.channel.set_value(details.channel)
        self.received_at.set_moment(details.received_at)
        self.acknowledged_at.set_moment(details.acknowledged_at)
        self.restored_at.set_moment(details.restored_at)
        self.description.setPlainText(details.description)
        self.cause.setText(details.cause or "")
        self.excusable.set_value(details.excusable_category)
        self.equipment.setChecked(details.equipment_replacement)
        self.equipment_found_at.set_moment(details.equipment_found_at)
        self._show_deadlines()


def _channel_required(value: object) -> object:
    if value is None:
        raise InvalidValue("Indiquez par quel canal la panne a été signalée.")
    return value
