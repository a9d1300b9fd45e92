"""What the logged-in role may do, asked by the screens to grey what it may not.

The window, its lists, the record views and their dialogs share one gate; the
role is set on it at login. The services check the same permissions anyway
(:mod:`desktop.services.access`) and refuse with a French message: greying
only spares the user a click that would be refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from desktop.domain.enums import StaffRole
from desktop.domain.roles import Permission, allows
from desktop.ui.tabs.specs import RecordKind

WRITE_PERMISSION: dict[RecordKind, Permission] = {
    RecordKind.CLIENT: Permission.CUSTOMERS,
    RecordKind.DOMAIN: Permission.CUSTOMERS,
    RecordKind.MAILBOX: Permission.CUSTOMERS,
    RecordKind.CONTRACT: Permission.CONTRACTS,
    RecordKind.QUOTE: Permission.CONTRACTS,
    RecordKind.INCIDENT: Permission.INCIDENTS,
}
"""What creating or changing each kind of record needs."""

Needs = Permission | tuple[Permission, ...] | None
"""What an action needs: one permission, all of several, or nothing (reading)."""


@dataclass
class RoleGate:
    role: StaffRole | None = None
    """The logged-in role; None while no staff accounts are in use (everything allowed)."""

    def allows(self, needs: Needs) -> bool:
        if self.role is None or needs is None:
            return True
        wanted = needs if isinstance(needs, tuple) else (needs,)
        return all(allows(self.role, permission) for permission in wanted)

    def may_write(self, kind: RecordKind) -> bool:
        """Whether the role may create or change this kind of record."""
        return self.allows(WRITE_PERMISSION.get(kind))

    @property
    def refusal(self) -> str:
        """The tooltip of what is greyed for the role."""
        label = self.role.label if self.role is not None else ""
        return f"Votre rôle « {label} » ne le permet pas."

    def gate(self, widget: QWidget | QAction, needs: Needs) -> bool:
        """Grey ``widget`` (a button or an action) if the role lacks ``needs``, with
        :attr:`refusal` as its tooltip; whether it is allowed."""
        allowed = self.allows(needs)
        if not allowed:
            widget.setEnabled(False)
            widget.setToolTip(self.refusal)
        return allowed
