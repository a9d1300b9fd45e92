"""The DNS records the instruction sheets print, per product line: staff edit them here.

One group per product line: MX host and priority, autodiscover CNAME target, SPF.
An empty field keeps the line's default, shown in grey; each field says what is
wrong right under it as the user types (the service's own checks), and a preview
shows the records a client's domain would get. Opened from the settings'
"Domaines" tab; saved in the background, one product line after the other.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.db.engine import Database
from desktop.domain.dns_records import MAX_MX_PRIORITY
from desktop.domain.errors import ValidationError
from desktop.errors import ConflictError, UserError
from desktop.services.dns_settings import (
    PREVIEW_DOMAIN,
    DnsSettings,
    DnsValues,
    check_dns_values,
    dns_settings,
    preview_records,
    save_dns_settings,
)
from desktop.ui.dialogs.provider_form import (
    ERROR_COLOR,
    FieldRow,
    add_field_row,
    fit_height,
    new_form_layout,
    note_label,
)
from desktop.ui.dialogs.welcome import unexpected_error_message
from desktop.ui.tasks import run_in_background
from desktop.ui.widgets.busy_dialog import BusyDialog
from desktop.ui.widgets.record_dialog import RELOAD, ask_reload

log = logging.getLogger(__name__)

TITLE = "Enregistrements DNS des fiches d'instructions"
INTRO = (
    "Les valeurs que la fiche d'instructions DNS d'un domaine indique au client, pour "
    "chaque gamme. Un champ laissé vide garde la valeur par défaut, affichée en gris. "
    "Dans une valeur, {domain} tient lieu du domaine du client (exemple.fr) et "
    "{domain_dashed} du même domaine, ses points changés en tirets (exemple-fr)."
)
NO_LINE = "Aucune gamme n'est encore enregistrée : il n'y a rien à paramétrer."
PREVIEW_BLOCKED = "Aperçu indisponible : corrigez les valeurs signalées en rouge."
FIELD_MIN_WIDTH = 420
CELL = ' style="padding-right: 10px;"'
PREVIEW_CHARS = 60
MUTED = "#777777"


class LineGroup(QGroupBox):
    """The four DNS values of one product line, checked as typed, with a preview."""

    def __init__(self, settings: DnsSettings, parent: QWidget | None = None) -> None:
        super().__init__(settings.name, parent)
        self.settings = settings
        self.edits: dict[str, QLineEdit] = {}
        self.rows: dict[str, FieldRow] = {}
        self._server_errors: dict[str, str] = {}
        self.errors: dict[str, str] = {}
        self.values = DnsValues()

        form = new_form_layout()
        add_field_row(form, "Serveur MX", self._row("mx", 253))
        add_field_row(form, "Priorité MX", self._priority_row()).setBuddy(self.edits["mx_priority"])
        add_field_row(form, "Autodiscover (CNAME)", self._row("autodiscover", 253))
        add_field_row(form, "SPF (TXT)", self._row("spf", 500))

        self.preview = QLabel(self)  # not wrapped: a table; long values are shortened
        self.preview.setObjectName("preview")
        self.preview.setTextFormat(Qt.TextFormat.RichText)
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.default_button = QPushButton("Revenir aux valeurs par défaut", self)
        self.default_button.setAutoDefault(False)
        self.default_button.clicked.connect(self.clear)
        bottom = QHBoxLayout()
        bottom.addWidget(self.preview, 1)
        bottom.addWidget(self.default_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(bottom)
        self.set_settings(settings)

    def _edit(self, field: str, max_length: int) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(field)
        edit.setMaxLength(max_length)
        edit.setClearButtonEnabled(True)
        edit.textChanged.connect(lambda _text, f=field: self._typed(f))
        self.edits[field] = edit
        return edit

    def _row(self, field: str, max_length: int) -> FieldRow:
        edit = self._edit(field, max_length)
        edit.setMinimumWidth(FIELD_MIN_WIDTH)
        row = FieldRow(field, edit, self)
        self.rows[field] = row
        return row

    def _priority_row(self) -> FieldRow:
        """A short input, what the number means beside it."""
        edit = self._edit("mx_priority", 6)
        edit.setClearButtonEnabled(False)  # too short a field for it
        edit.setFixedWidth(edit.fontMetrics().horizontalAdvance("000000") + 40)
        line = QWidget(self)
        layout = QHBoxLayout(line)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(edit)
        hint = QLabel(f"De 0 à {MAX_MX_PRIORITY} : la plus petite est préférée.", line)
        hint.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(hint, 1)
        row = FieldRow("mx_priority", line, self)
        self.rows["mx_priority"] = row
        return row

    # --- state --------------------------------------------------------------------------

    def set_settings(self, settings: DnsSettings) -> None:
        """Show the values as stored, the defaults as placeholders; nothing typed yet."""
        self.settings = settings
        self.setTitle(settings.name)
        defaults, values = settings.defaults, settings.values
        texts = {
            "mx": (values.mx, defaults.mx),
            "mx_priority": (values.mx_priority, defaults.mx_priority),
            "autodiscover": (values.autodiscover, defaults.autodiscover),
            "spf": (values.spf, defaults.spf),
        }
        for field, (value, default) in texts.items():
            edit = self.edits[field]
            edit.blockSignals(True)
            edit.setText("" if value is None else str(value))
            edit.setPlaceholderText(str(default))
            edit.setCursorPosition(0)
            edit.blockSignals(False)
        self._server_errors.clear()
        self.check()

    def texts(self) -> dict[str, str]:
        return {field: edit.text() for field, edit in self.edits.items()}

    def changed(self) -> bool:
        return bool(self.errors) or self.values != self.settings.values

    def clear(self) -> None:
        """Every value back to the line's default (saved with the others)."""
        for edit in self.edits.values():
            edit.clear()

    # --- checks -------------------------------------------------------------------------

    def _typed(self, field: str) -> None:
        self._server_errors.pop(field, None)
        self.check()

    def check(self) -> None:
        """Check what is typed; messages under the fields, the preview below them."""
        text = self.texts()
        self.values, errors = check_dns_values(
            mx=text["mx"],
            mx_priority=text["mx_priority"],
            autodiscover=text["autodiscover"],
            spf=text["spf"],
        )
        self.errors = {**errors, **self._server_errors}
        for field, row in self.rows.items():
            row.error.show_message(self.errors.get(field))
        self.default_button.setEnabled(any(text.values()))
        self._show_preview()

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """A refused save's messages, under their fields until the field changes."""
        self._server_errors = {f: m for f, m in errors.items() if f in self.rows}
        self.check()

    def _show_preview(self) -> None:
        if self.errors:
            self.preview.setText(f'<span style="color: {ERROR_COLOR};">{PREVIEW_BLOCKED}</span>')
            return
        rows = []
        for record in preview_records(self.settings.code, self.values, PREVIEW_DOMAIN):
            priority = "" if record.priority is None else f" (priorité {record.priority})"
            rows.append(
                f"<tr><td{CELL}><b>{record.kind}</b></td><td{CELL}>{_shown(record.host)}</td>"
                f"<td{CELL}>→</td><td>{_shown(record.value)}{priority}</td></tr>"
            )
        self.preview.setText(
            f'<span style="color: {MUTED};">Aperçu pour {PREVIEW_DOMAIN} :</span>'
            f'<table cellspacing="0" cellpadding="1" style="margin-top: 3px;">{"".join(rows)}'
            "</table>"
        )


def _shown(value: str) -> str:
    """A value of the preview, as HTML, shortened past :data:`PREVIEW_CHARS` characters."""
    if len(value) > PREVIEW_CHARS:
        value = value[: PREVIEW_CHARS - 1] + "…"
    return html.escape(value)


class DnsSettingsDialog(BusyDialog):
    """The DNS values of every product line; ``saved`` holds what each save stored.

    Result: ``Accepted`` once every changed line is saved, ``Rejected`` when cancelled.
    """

    def __init__(self, parent: QWidget | None, *, db: Database, actor: str) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self._busy = False
        self.saved: list[DnsSettings] = []
        self.setWindowTitle(TITLE)
        self.setModal(True)

        self.groups = [LineGroup(line, self) for line in dns_settings(db)]
        for group in self.groups:
            for edit in group.edits.values():
                edit.textChanged.connect(self._update_buttons)

        standard = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(standard.Save | standard.Cancel, self)
        self.save_button = _button(buttons, standard.Save, "Enregistrer")
        self.cancel_button = _button(buttons, standard.Cancel, "Annuler")
        self.save_button.setDefault(True)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 14, 14, 12)
        layout.setSpacing(10)
        layout.addWidget(note_label(INTRO, self))
        for group in self.groups:
            layout.addWidget(group)
        if not self.groups:
            layout.addWidget(note_label(NO_LINE, self))
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.resize(780, 600)
        self._update_buttons()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        fit_height(self)

    def group(self, name: str) -> LineGroup:
        """The group of the product line ``name`` ("Hosted Exchange", "Office 365")."""
        return next(group for group in self.groups if group.settings.name == name)

    def _update_buttons(self, *_args: object) -> None:
        changed = any(group.changed() for group in self.groups)
        valid = not any(group.errors for group in self.groups)
        self.save_button.setEnabled(not self._busy and changed and valid)
        self.cancel_button.setEnabled(not self._busy)
        for group in self.groups:
            group.setEnabled(not self._busy)

    def _set_busy(self, busy: bool) -> None:
        """While saving: no way out (BusyDialog), nothing to type."""
        self._busy = busy
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()
        self._update_buttons()

    # --- saving, one product line after the other ---------------------------------------

    def save(self) -> None:
        if self._busy or not self.save_button.isEnabled():
            return
        self._set_busy(True)
        self._save_next()

    def _save_next(self) -> None:
        group = next((group for group in self.groups if group.changed()), None)
        if group is None:
            self._set_busy(False)
            self.accept()
            return
        line, text = group.settings, group.texts()

        def work() -> DnsSettings:
            return save_dns_settings(
                self.db,
                line.id,
                mx=text["mx"],
                mx_priority=text["mx_priority"],
                autodiscover=text["autodiscover"],
                spf=text["spf"],
                expected_version=line.version,
                actor=self.actor,
            )

        run_in_background(
            work, lambda saved: self._saved(group, saved), lambda exc: self._failed(group, exc)
        )

    def _saved(self, group: LineGroup, saved: DnsSettings) -> None:
        self.saved.append(saved)
        group.set_settings(saved)
        self._save_next()

    def _failed(self, group: LineGroup, exc: Exception) -> None:
        self._set_busy(False)
        if isinstance(exc, ValidationError):
            group.show_errors(exc.errors)
            self._update_buttons()
        elif isinstance(exc, ConflictError):
            self._conflict(group, exc)
        elif isinstance(exc, UserError):
            self._warn(f"{group.settings.name} : {exc.message}")
        else:
            log.error("saving the DNS settings failed", exc_info=exc)
            self._warn(f"{group.settings.name} : {unexpected_error_message(exc)}")

    def _already_saved(self) -> str:
        names = ", ".join(saved.name for saved in self.saved)
        return f"\n\nLes valeurs de {names} sont, elles, enregistrées." if names else ""

    def _warn(self, message: str) -> None:
        QMessageBox.warning(self, TITLE, message + self._already_saved())

    def _conflict(self, group: LineGroup, exc: ConflictError) -> None:
        detail = (
            f"« {RELOAD} » affiche les valeurs enregistrées de {group.settings.name} : "
            f"vos saisies de cette gamme seront perdues.{self._already_saved()}"
        )
        if not ask_reload(self, exc.message, title=TITLE, detail=detail):
            return
        self._set_busy(True)
        run_in_background(
            lambda: dns_settings(self.db),
            lambda lines: self._reloaded(group, lines),
            lambda error: self._failed(group, error),
        )

    def _reloaded(self, group: LineGroup, lines: list[DnsSettings]) -> None:
        self._set_busy(False)
        current = next((line for line in lines if line.id == group.settings.id), None)
        if current is not None:
            group.set_settings(current)
        self._update_buttons()


def _button(
    box: QDialogButtonBox, which: QDialogButtonBox.StandardButton, text: str
) -> QPushButton:
    """A standard button of ``box``, captioned in French."""
    button = box.button(which)
    button.setText(text)
    return button


def window_database(widget: QWidget | None) -> tuple[Database, str] | None:
    """The database and staff member of the window ``widget`` belongs to, if any."""
    while widget is not None:
        db, actor = getattr(widget, "db", None), getattr(widget, "actor", None)
        if isinstance(db, Database) and isinstance(actor, str):
            return db, actor
        widget = widget.parentWidget()
    return None


def open_dns_settings(parent: QWidget) -> DnsSettingsDialog | None:
    """Open the dialog (window-modal) on the database of ``parent``'s window."""
    found = window_database(parent)
    if found is None:
        QMessageBox.warning(parent, TITLE, "Aucune base de données n'est ouverte.")
        return None
    db, actor = found
    try:
        dialog = DnsSettingsDialog(parent, db=db, actor=actor)
    except UserError as exc:
        QMessageBox.warning(parent, TITLE, exc.message)
        return None
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
