"""A combo box of :class:`Choice` entries, optionally searched in the database as one types."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QCompleter, QLineEdit, QWidget

from desktop.services.choices import Choice

Search = Callable[[str], Sequence[Choice]]

CHOICE_ROLE = Qt.ItemDataRole.UserRole
"""Item data role holding the :class:`Choice` of an entry."""


def entry_text(choice: Choice) -> str:
    """What an entry shows: its label, and its detail in brackets."""
    return f"{choice.label} ({choice.detail})" if choice.detail else choice.label


class ChoiceBox(QComboBox):
    """Pick one :class:`Choice`; with ``search`` the user types and the entries follow.

    The selected id is :meth:`current_id`: None while the text typed does not name
    one of the entries. ``choice_changed`` is emitted whenever that may have changed.
    """

    choice_changed = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        search: Search | None = None,
        placeholder: str = "",
    ) -> None:
        super().__init__(parent)
        self._search = search
        self._completer: QCompleter | None = None
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(24)
        self.setMaxVisibleItems(15)
        if search is not None:
            self.setEditable(True)
            self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            completer = QCompleter(self.model(), self)
            # The database already filtered the entries: show them all, as they are.
            completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            self.setCompleter(completer)
            self._completer = completer
            line = self._line_edit()
            line.setPlaceholderText(placeholder)
            line.setClearButtonEnabled(True)
            line.textEdited.connect(self._typed)
            self.editTextChanged.connect(self.choice_changed)
        elif placeholder:
            self.setPlaceholderText(placeholder)
        self.currentIndexChanged.connect(self.choice_changed)

    # --- entries ------------------------------------------------------------------------

    def set_choices(self, choices: Sequence[Choice], *, selected: int | None = None) -> None:
        """Replace the entries; select the one whose id is ``selected`` (else none)."""
        self.blockSignals(True)
        try:
            self.clear()
            for choice in choices:
                self.addItem(entry_text(choice), choice)
                if choice.detail:
                    self.setItemData(self.count() - 1, choice.detail, Qt.ItemDataRole.ToolTipRole)
            self.setCurrentIndex(self._index_of(selected))
            if self.isEditable() and self.currentIndex() < 0:
                self.setEditText("")
        finally:
            self.blockSignals(False)
        self.choice_changed.emit()

    def choices(self) -> list[Choice]:
        return [self.itemData(row, CHOICE_ROLE) for row in range(self.count())]

    def select(self, choice_id: int | None) -> bool:
        """Select the entry of that id; False (and nothing selected) if there is none."""
        self.setCurrentIndex(self._index_of(choice_id))
        return self.currentIndex() >= 0

    def lock(self, choice: Choice) -> None:
        """Show this single choice, which cannot be changed."""
        self.set_choices([choice], selected=choice.id)
        self.setEnabled(False)

    # --- selection ----------------------------------------------------------------------

    def current_choice(self) -> Choice | None:
        """The entry selected, provided the text shown is still its text."""
        row = self.currentIndex()
        if row < 0:
            return None
        if self.isEditable() and self.currentText() != self.itemText(row):
            return None
        choice: Choice = self.itemData(row, CHOICE_ROLE)
        return choice

    def current_id(self) -> int | None:
        choice = self.current_choice()
        return None if choice is None else choice.id

    # --- internals ----------------------------------------------------------------------

    def _index_of(self, choice_id: int | None) -> int:
        if choice_id is None:
            return -1
        return next((row for row, c in enumerate(self.choices()) if c.id == choice_id), -1)

    def _typed(self, text: str) -> None:
        """Fetch the entries matching the text typed, and offer them in the popup."""
        assert self._search is not None and self._completer is not None
        found = self._search(text.strip())
        line = self._line_edit()
        cursor = line.cursorPosition()
        self.blockSignals(True)
        try:
            self.clear()
            for choice in found:
                self.addItem(entry_text(choice), choice)
            exact = self.findText(text, Qt.MatchFlag.MatchFixedString)
            self.setCurrentIndex(exact)
            self.setEditText(text)
            line.setCursorPosition(cursor)
        finally:
            self.blockSignals(False)
        self.choice_changed.emit()
        if found and text.strip() and self.hasFocus():
            self._completer.setCompletionPrefix(text)
            self._completer.complete()
        elif (popup := self._completer.popup()) is not None:
            popup.hide()

    def _line_edit(self) -> QLineEdit:
        line = self.lineEdit()
        assert line is not None  # editable
        return line
