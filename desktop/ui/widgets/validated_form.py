"""Form fields validated while the user types, with the message right under the field.

A :class:`Field` is an input widget, a validator and the :class:`ErrorLabel` that
shows its message. The validator gets the widget's value (the text of a line edit,
the id of a :class:`ChoiceBox`, the state of a check box…) and returns the
normalised value or raises :class:`InvalidValue` with a French message — the very
normalisers of ``desktop.domain``. Every change re-validates the whole form (fields
depend on each other: the SIRET on the SIREN) and :attr:`ValidatedForm.validity_changed`
tells whether it can be saved. The errors of a save refused by a service
(``ValidationError.errors``) go next to the fields of the same keys, the others
to :attr:`ValidatedForm.general_error` at the top.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import InvalidValue, field_label
from desktop.ui.widgets.choice_box import ChoiceBox
from desktop.ui.widgets.enum_combo import EnumCombo

T = TypeVar("T")

Validator = Callable[[Any], object]
"""Given the widget's value: the normalised value, or InvalidValue with a French message."""

ERROR_COLOR = "#b3261e"

INVALID_STYLE = f"""
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"] {{
    border: 1px solid {ERROR_COLOR};
    border-radius: 3px;
    padding: 2px;
}}
"""
"""Style sheet marking an input whose value is refused (``invalid`` property)."""


class ErrorLabel(QLabel):
    """Red, word-wrapped text, hidden while it is empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setStyleSheet(f"color: {ERROR_COLOR};")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def set_message(self, text: str) -> None:
        if text != self.text():
            self.setText(text)
        self.setVisible(bool(text))


# --- validators -------------------------------------------------------------------------


def required(message: str, normalize: Callable[[str], T] | None = None) -> Validator:
    """Text that must not be empty (``message``), then normalised if ``normalize`` is given."""

    def validate(text: str) -> object:
        value = text.strip()
        if not value:
            raise InvalidValue(message)
        return value if normalize is None else normalize(value)

    return validate


def optional(normalize: Callable[[str], T]) -> Validator:
    """Empty text is None; any other is normalised."""

    def validate(text: str) -> object:
        value = text.strip()
        return normalize(value) if value else None

    return validate


def chosen(message: str) -> Validator:
    """An entry of a chooser must be selected (its id is not None)."""

    def validate(value: object) -> object:
        if value is None:
            raise InvalidValue(message)
        return value

    return validate


# --- reading widgets --------------------------------------------------------------------


def widget_value(widget: QWidget) -> object:
    """The value a validator is given for this widget."""
    if isinstance(widget, ChoiceBox):
        return widget.current_id()
    if isinstance(widget, EnumCombo):
        return widget.value()
    if isinstance(widget, QComboBox):
        return widget.currentText() if widget.isEditable() else widget.currentData()
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QAbstractButton):
        return widget.isChecked()
    if isinstance(widget, QSpinBox):
        return widget.value()
    raise TypeError(f"no value for {type(widget).__name__}")


def _change_signals(widget: QWidget) -> list[SignalInstance]:
    if isinstance(widget, ChoiceBox):
        return [widget.choice_changed]
    if isinstance(widget, QComboBox):
        if widget.isEditable():
            return [widget.currentIndexChanged, widget.editTextChanged]
        return [widget.currentIndexChanged]
    if isinstance(widget, QLineEdit | QPlainTextEdit):
        return [widget.textChanged]
    if isinstance(widget, QAbstractButton):
        return [widget.toggled]
    if isinstance(widget, QSpinBox):
        return [widget.valueChanged]
    raise TypeError(f"no change signal for {type(widget).__name__}")


def _widgets(items: tuple[Field | QWidget, ...]) -> list[QWidget]:
    return [item.widget if isinstance(item, Field) else item for item in items]


QWIDGETSIZE_MAX = 16777215


def _first_line_height(widget: QWidget) -> int:
    """Height of the first line of an input: a text box's label stays by its first line."""
    if isinstance(widget, QPlainTextEdit):
        return QLineEdit().sizeHint().height()
    return widget.sizeHint().height()


def _is_blank(value: object) -> bool:
    return value is None or value is False or (isinstance(value, str) and not value.strip())


# --- fields and form --------------------------------------------------------------------


@dataclass(eq=False)
class Field:
    """One input of a form and what is known of its value."""

    key: str
    widget: QWidget
    validate: Validator | None
    title: str
    label: ErrorLabel | None = None
    shared: bool = False  # its label serves several fields: messages name the field
    active: bool = True  # False: not asked (hidden), neither validated nor saved
    touched: bool = False  # changed by the user since the form was (re)loaded
    blank: bool = True
    value: object = None
    error: str | None = None  # from the validator, as typed
    server_error: str | None = None  # from the last save, until the field changes

    @property
    def message(self) -> str | None:
        """The message to show: a required field says nothing until it is touched."""
        if not self.active:
            return None
        if self.server_error is not None:
            return self.server_error
        if self.error is not None and (self.touched or not self.blank):
            return self.error
        return None

    @property
    def valid(self) -> bool:
        return not self.active or (self.error is None and self.server_error is None)


class ValidatedForm(QObject):
    """The fields of one dialog, validated on every change."""

    validity_changed = Signal(bool)
    checked = Signal()
    """After every validation: the messages and :meth:`pending` may have changed."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.general_error = ErrorLabel(parent)
        self.fields: dict[str, Field] = {}
        self._rows: dict[str, tuple[QFormLayout, QWidget]] = {}
        self._valid: bool | None = None
        self._loading = 0
        self._quiet = 0
        self._general: list[str] = []
        self._labels: dict[ErrorLabel, None] = {}  # every label, in order

    # --- building -----------------------------------------------------------------------

    def add(
        self,
        key: str,
        widget: QWidget,
        validate: Validator | None = None,
        *,
        title: str | None = None,
        label: ErrorLabel | None = None,
    ) -> Field:
        """Register an input under ``key`` (the service's error key for it)."""
        field = Field(key, widget, validate, title or field_label(key), label, label is not None)
        if label is not None:
            self._labels[label] = None
        self.fields[key] = field
        for signal in _change_signals(widget):
            signal.connect(lambda *_args, f=field: self._changed(f))
        return field

    def add_row(
        self,
        layout: QFormLayout,
        text: str,
        *items: Field | QWidget,
        note: QLabel | None = None,
    ) -> QWidget:
        """One row of ``layout``: its inputs side by side, their messages under them.

        ``items`` are fields, or plain widgets to show among them (a unit, a hint);
        ``note`` goes under the inputs, above the messages.
        """
        fields = [item for item in items if isinstance(item, Field)]
        row = QWidget()
        column = QVBoxLayout(row)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        inputs = QHBoxLayout()
        inputs.setSpacing(6)
        growing = False
        for item in items:
            widget = item.widget if isinstance(item, Field) else item
            grows = (
                isinstance(item, Field)
                and not isinstance(widget, QAbstractSpinBox | QAbstractButton)
                and widget.maximumWidth() >= QWIDGETSIZE_MAX  # not a fixed-width input
            )
            inputs.addWidget(widget, 1 if grows else 0)
            growing = growing or grows
        if not growing:
            inputs.addStretch(1)
        column.addLayout(inputs)
        if note is not None:
            column.addWidget(note)
        error = ErrorLabel(row)
        column.addWidget(error)
        self._labels[error] = None
        for field in fields:
            field.label = error
            field.shared = len(fields) > 1
            self._rows[field.key] = (layout, row)
        # The label stays level with the inputs, above the messages that may follow.
        title = QLabel(text)
        title.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        height = max(_first_line_height(widget) for widget in _widgets(items))
        title.setContentsMargins(0, max(0, (height - title.fontMetrics().height()) // 2), 0, 0)
        if fields:
            title.setBuddy(fields[0].widget)
        layout.addRow(title, row)
        self._refresh()
        return row

    def remove(self, key: str) -> None:
        """Forget a field (its widget is about to go)."""
        self.fields.pop(key, None)
        self._rows.pop(key, None)
        self.revalidate()

    def rename(self, field: Field, key: str) -> None:
        """Register a field under another key (a row of a table moved up)."""
        if self.fields.get(field.key) is field:
            del self.fields[field.key]
        field.key = key
        field.title = field_label(key)
        self.fields[key] = field

    def set_row_visible(self, key: str, visible: bool) -> None:
        """Show or hide the row of ``key``; the fields of a hidden row are not asked."""
        layout, row = self._rows[key]
        layout.setRowVisible(row, visible)
        for other, (_, other_row) in self._rows.items():
            if other_row is row:
                self.fields[other].active = visible
        self.revalidate()

    # --- state --------------------------------------------------------------------------

    @property
    def is_valid(self) -> bool:
        return all(field.valid for field in self.fields.values())

    def value(self, key: str) -> Any:
        """The normalised value of a field, None when it is not asked."""
        field = self.fields[key]
        return field.value if field.active else None

    def pending(self) -> list[str]:
        """Titles of the fields that stop the form from being saved."""
        return [field.title for field in self.fields.values() if not field.valid]

    @property
    def is_loading(self) -> bool:
        """True while a record is being put in the widgets (see :meth:`loading`)."""
        return self._loading > 0

    @contextmanager
    def loading(self) -> Iterator[None]:
        """Fill the widgets from a record: nothing touched, one validation at the end."""
        self._loading += 1
        try:
            with self.quietly():
                yield
        finally:
            self._loading -= 1
        if not self._loading:
            self.reset()

    @contextmanager
    def quietly(self) -> Iterator[None]:
        """Change widgets from code (fill a list…): not "touched", validated at the end."""
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1
        if not self._quiet:
            self.revalidate()

    def reset(self) -> None:
        """As freshly loaded: nothing touched, no message from a previous save."""
        for field in self.fields.values():
            field.touched = False
            field.server_error = None
        self._general = []
        self.revalidate()

    def revalidate(self) -> bool:
        """Validate every field, update the messages; whether the form can be saved."""
        if self._quiet:
            return False
        for field in self.fields.values():
            self._check(field)
        self._refresh()
        valid = self.is_valid
        if valid != self._valid:
            self._valid = valid
            self.validity_changed.emit(valid)
        self.checked.emit()
        return valid

    # --- errors of a save ---------------------------------------------------------------

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """Show a service's ``ValidationError.errors``: by their fields, or at the top."""
        self._general = []
        first: Field | None = None
        for key, message in errors.items():
            field = self.fields.get(key)
            if field is None or not field.active:
                self._general.append(f"{field_label(key)} : {message}")
                continue
            field.server_error = message
            first = first or field
        self.revalidate()
        if first is not None:
            first.widget.setFocus()

    def show_general(self, message: str) -> None:
        """A message about the whole record, at the top of the form."""
        self._general = [message]
        self._refresh()

    # --- internals ----------------------------------------------------------------------

    def _changed(self, field: Field) -> None:
        if self._quiet or self.fields.get(field.key) is not field:
            return
        field.touched = True
        field.server_error = None
        self.revalidate()

    def _check(self, field: Field) -> None:
        raw = widget_value(field.widget)
        field.blank = _is_blank(raw)
        field.error = None
        field.value = raw
        if field.validate is None:
            return
        try:
            field.value = field.validate(raw)
        except InvalidValue as exc:
            field.error = exc.message
            field.value = None

    def _refresh(self) -> None:
        messages: dict[ErrorLabel, list[str]] = {label: [] for label in self._labels}
        for field in self.fields.values():
            message = field.message
            _mark(field.widget, message is not None)
            if field.shared:
                field.widget.setToolTip(message or "")
            if field.label is None or message is None:
                continue
            if field.shared:
                message = f"{field.title} : {message}"
            messages.setdefault(field.label, []).append(message)
        for label, lines in messages.items():
            label.set_message("\n".join(dict.fromkeys(lines)))
        self.general_error.set_message("\n".join(self._general))


def _mark(widget: QWidget, invalid: bool) -> None:
    if bool(widget.property("invalid")) == invalid:
        return
    widget.setProperty("invalid", invalid)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
