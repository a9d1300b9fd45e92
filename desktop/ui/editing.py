"""The window's create/edit entry point: the right dialog for a kind of record."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from PySide6.QtWidgets import QDialog, QWidget

from desktop.db.engine import Database
from desktop.services.clients import get_client
from desktop.services.contracts import get_contract
from desktop.services.domains import get_domain
from desktop.services.incidents import get_incident
from desktop.services.mailboxes import get_mailbox
from desktop.services.quotes import get_quote
from desktop.ui.dialogs.client_dialog import ClientDialog
from desktop.ui.dialogs.contract_dialog import ContractDialog
from desktop.ui.dialogs.domain_dialog import DomainDialog
from desktop.ui.dialogs.incident_dialog import IncidentDialog
from desktop.ui.dialogs.mailbox_dialog import MailboxDialog
from desktop.ui.dialogs.quote_dialog import QuoteDialog
from desktop.ui.tabs.specs import RecordKind

Editor = Callable[[QWidget, RecordKind, int | None, int | None], bool]


def record_editor(db: Database, actor: str) -> Editor:
    """``edit(parent, kind, record_id, client_id)``: True once the dialog saved."""

    def edit(
        parent: QWidget, kind: RecordKind, record_id: int | None, client_id: int | None
    ) -> bool:
        dialog = _dialog(db, actor, parent, kind, record_id, client_id)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        if record_id is None and isinstance(dialog, ContractDialog | IncidentDialog | QuoteDialog):
            _open_created(parent, kind, dialog.saved.id)
        return True

    return edit


@runtime_checkable
class RecordOpener(Protocol):
    """A window that shows records (:meth:`desktop.ui.main_window.MainWindow.open_record`)."""

    def open_record(self, kind: RecordKind, record_id: int) -> None: ...


def _open_created(parent: QWidget, kind: RecordKind, record_id: int) -> None:
    """Show the record just created, as following a link to it would."""
    if isinstance(parent, RecordOpener):
        parent.open_record(kind, record_id)


def _dialog(
    db: Database,
    actor: str,
    parent: QWidget,
    kind: RecordKind,
    record_id: int | None,
    client_id: int | None,
) -> QDialog:
    if kind is RecordKind.CLIENT:
        client = None if record_id is None else get_client(db, record_id)
        return ClientDialog(parent, db=db, details=client, actor=actor)
    if kind is RecordKind.DOMAIN:
        domain = None if record_id is None else get_domain(db, record_id)
        return DomainDialog(parent, db=db, details=domain, client_id=client_id, actor=actor)
    if kind is RecordKind.MAILBOX:
        mailbox = None if record_id is None else get_mailbox(db, record_id)
        return MailboxDialog(parent, db=db, details=mailbox, client_id=client_id, actor=actor)
    if kind is RecordKind.CONTRACT:
        contract = None if record_id is None else get_contract(db, record_id)
        return ContractDialog(parent, db=db, details=contract, client_id=client_id, actor=actor)
    if kind is RecordKind.INCIDENT:
        incident = None if record_id is None else get_incident(db, record_id)
        return IncidentDialog(parent, db=db, details=incident, client_id=client_id, actor=actor)
    if kind is RecordKind.QUOTE:
        quote = None if record_id is None else get_quote(db, record_id)
        return QuoteDialog(parent, db=db, details=quote, client_id=client_id, actor=actor)
    raise ValueError(f"no dialog edits a {kind}")
