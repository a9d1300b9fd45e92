"""A combo box of the members of a labelled enum, showing their French labels."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtWidgets import QComboBox, QWidget

from desktop.domain.enums import LabelledEnum


class EnumCombo(QComboBox):
    """Members shown by label; ``none_label`` adds a first entry meaning None.

    The members are kept on the Python side: Qt would turn a string enum
    stored as item data back into a plain ``str``.
    """

    def __init__(
        self,
        members: Iterable[LabelledEnum],
        *,
        none_label: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._members: list[Any] = []
        if none_label is not None:
            self._members.append(None)
            self.addItem(none_label)
        for member in members:
            self.add_member(member)

    def add_member(self, member: LabelledEnum) -> None:
        if member not in self._members:
            self._members.append(member)
            self.addItem(member.label)

    def value(self) -> Any:
        """The member selected (None for the ``none_label`` entry)."""
        row = self.currentIndex()
        return self._members[row] if 0 <= row < len(self._members) else None

    def set_value(self, member: LabelledEnum | None) -> None:
        """Select ``member``; an unknown one selects the first entry."""
        self.setCurrentIndex(self._members.index(member) if member in self._members else 0)
