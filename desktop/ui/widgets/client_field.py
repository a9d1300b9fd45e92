"""What the dialogs of a client's records share: the client chooser, locked or not."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from desktop.services.choices import client_choice, client_choices
from desktop.ui.widgets.choice_box import ChoiceBox
from desktop.ui.widgets.record_dialog import RecordDialog
from desktop.ui.widgets.validated_form import chosen

if TYPE_CHECKING:
    from desktop.db.engine import Database

CLIENT_PLACEHOLDER = "Code ou nom du client"


def hint_label(text: str = "") -> QLabel:
    """An explanation in grey, wrapped."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


class ClientRecordDialog(RecordDialog):
    """A record dialog whose first field is the client (``client_id``).

    A subclass sets :attr:`db`, creates :attr:`client` with :meth:`make_client_box`
    and lays its fields out between :meth:`client_layout` and :meth:`finish_layout`.
    """

    db: Database
    client: ChoiceBox

    def make_client_box(self) -> ChoiceBox:
        return ChoiceBox(
            search=lambda text: client_choices(self.db, text), placeholder=CLIENT_PLACEHOLDER
        )

    def client_layout(self) -> QFormLayout:
        """The form's layout, its first row the client."""
        form = self.form
        layout = QFormLayout()
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.add_row(
            layout,
            "Client",
            form.add("client_id", self.client, chosen("Choisissez le client dans la liste.")),
        )
        return layout

    def finish_layout(self, layout: QFormLayout) -> None:
        """Put ``layout`` in the dialog's body, at the top."""
        column = QVBoxLayout(self.body)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(layout)
        column.addStretch(1)

    def start(self, details: Any, client_id: int | None, first: QWidget) -> None:
        """Show ``details``, or a new record's client (``client_id`` locked, or to choose).

        The focus goes to ``first`` once the client is known, else to the client.
        """
        if details is not None:
            self.load(details)
        else:
            with self.form.quietly():
                if client_id is not None:
                    self._lock_client(client_id)
                else:
                    self.client.set_choices(client_choices(self.db))
        (first if self.client.current_id() is not None else self.client).setFocus()

    def _lock_client(self, client_id: int) -> None:
        choice = client_choice(self.db, client_id)
        if choice is None:
            self.form.show_general("Ce client est introuvable.")
            return
        self.client.lock(choice)
