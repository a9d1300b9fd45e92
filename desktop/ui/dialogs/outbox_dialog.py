"""« Facturation > Boîte d'envoi des e-mails… »: this desktop's SMTP server, and the queue.

« Serveur d'envoi (ce poste) » edits the SMTP settings kept in this desktop's
:class:`~desktop.settings.LocalSettings` (checked as the user types, each message
under its field) and the password kept in the OS keyring. « Messages » lists the
outbox (one status or all) and sends what is due now in the background, with the
settings as saved; failed messages can be put back in the queue.
"""

from __future__ import annotations

from dataclasses import replace
from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.db.engine import Database
from desktop.domain.enums import OutboxStatus
from desktop.errors import UserError
from desktop.services.outbox import (
    OutboxRow,
    SendReport,
    outbox_rows,
    retry_failed,
)
from desktop.services.provider import get_provider
from desktop.services.smtp_settings import (
    DEFAULT_PORTS,
    SECURITY_CHOICES,
    PasswordStore,
    check_smtp_settings,
    save_password,
    with_defaults,
)
from desktop.settings import LocalSettings, load_local_settings, save_local_settings
from desktop.ui.db_worker import DbWorker, Job
from desktop.ui.formatting import GREEN, ORANGE, RED, french_datetime, french_int
from desktop.ui.models.rows_model import RowColumn, RowsModel, rows_table
from desktop.ui.outbox_sender import send_now
from desktop.ui.tasks import run_in_background
from desktop.ui.widgets.run_summary import SummaryLabel
from desktop.ui.widgets.validated_form import INVALID_STYLE, ErrorLabel

REASONS_SHOWN = 8
NOT_A_PORT = "Le port est un nombre de 1 à 65535."

STATUS_FILTERS: tuple[tuple[str, OutboxStatus | None], ...] = (
    ("Tous", None),
    ("En attente", OutboxStatus.PENDING),
    ("Envoyés", OutboxStatus.SENT),
    ("En échec", OutboxStatus.FAILED),
)

STATUS_TEXT = {
    OutboxStatus.PENDING: "En attente",
    OutboxStatus.SENT: "Envoyé",
    OutboxStatus.FAILED: "En échec",
}
STATUS_COLOUR = {OutboxStatus.PENDING: ORANGE, OutboxStatus.SENT: GREEN, OutboxStatus.FAILED: RED}


def _recipients_tip(row: OutboxRow) -> str:
    lines = [f"À : {row.to}"]
    if row.cc:
        lines.append(f"Copie : {row.cc}")
    if row.attachment_names:
        lines.append("Pièces jointes : " + ", ".join(row.attachment_names))
    lines.append(f"Mis en file le {french_datetime(row.created_at)}")
    return "\n".join(lines)


def _error_tip(row: OutboxRow) -> str | None:
    if not row.last_error:
        return None
    return f"{row.last_error}\n(essai du {french_datetime(row.last_attempt_at)})"


OUTBOX_COLUMNS = (
    RowColumn(
        "État",
        lambda r: STATUS_TEXT.get(r.status, str(r.status)),
        90,
        colour=lambda r: STATUS_COLOUR.get(r.status),
    ),
    RowColumn("Destinataire", lambda r: r.to, 190, tooltip=_recipients_tip),
    RowColumn("Objet", lambda r: r.subject, 220),
    RowColumn("Essais", lambda r: french_int(r.attempts), 55, right=True),
    RowColumn("Envoyé le", lambda r: french_datetime(r.sent_at), 115),
    RowColumn(
        "Dernière erreur",
        lambda r: r.last_error or "",
        260,
        colour=lambda r: RED if r.last_error else None,
        tooltip=_error_tip,
    ),
)


class OutboxModel(RowsModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(OUTBOX_COLUMNS, parent)


def report_summary(report: SendReport) -> str:
    """« N envoyé(s), M en échec », then the French reasons (rich text)."""
    head = f"{french_int(report.sent)} envoyé(s), {french_int(report.failed)} en échec."
    if not report.sent and not report.failed:
        head = "Aucun message à envoyer maintenant (0 envoyé(s), 0 en échec)."
    lines = [f"<b>{escape(head)}</b>"]
    for error in report.errors[:REASONS_SHOWN]:
        again = " — abandonné" if error.final else " — nouvel essai plus tard"
        lines.append(f"• {escape(error.to)} « {escape(error.subject)} » : {escape(error.reason)}")
        lines[-1] += escape(again)
    more = len(report.errors) - REASONS_SHOWN
    if more > 0:
        lines.append(f"• … et {french_int(more)} autre(s)")
    return "<br>".join(lines)


class OutboxDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None,
        *,
        db: Database,
        worker: DbWorker,
        password_store: PasswordStore | None = None,
        actor: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.worker = worker
        self.password_store = password_store
        self.local = load_local_settings()
        self.provider_email: str | None = None
        self.loading = False
        self.sending = False
        self.report: SendReport | None = None
        self.password_edited = False
        self._alive = True
        self.setWindowTitle("Boîte d'envoi des e-mails")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setStyleSheet(INVALID_STYLE)

        layout = QVBoxLayout(self)
        layout.addWidget(self._build_server())
        layout.addWidget(self._build_messages(), 1)
        box = QDialogButtonBox()
        self.close_button = box.addButton("Fermer", QDialogButtonBox.ButtonRole.RejectRole)
        self.close_button.clicked.connect(self.reject)
        layout.addWidget(box)
        self.resize(1080, 720)
        self._show_settings(self.local)
        self._validate()
        self._load_provider()
        self.load()

    # --- the server -------------------------------------------------------------------------

    def _build_server(self) -> QGroupBox:
        group = QGroupBox("Serveur d'envoi (ce poste)")
        group.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        outer = QVBoxLayout(group)
        intro = QLabel(
            "Le serveur SMTP de l'entreprise, enregistré sur ce poste seulement. "
            "Le mot de passe est gardé dans le trousseau du système, jamais dans la base."
        )
        intro.setWordWrap(True)
        intro.setStyleSheet("color: palette(placeholder-text);")
        outer.addWidget(intro)

        columns = QHBoxLayout()
        columns.setSpacing(24)
        left, right = QFormLayout(), QFormLayout()
        for form in (left, right):
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            form.setVerticalSpacing(6)
        self.errors: dict[str, ErrorLabel] = {}

        self.host = QLineEdit()
        self.host.setPlaceholderText("smtp.exemple.fr")
        self.port = QLineEdit()
        self.port.setMaxLength(5)
        self.port.setMaximumWidth(130)
        self.security = QComboBox()
        self.security.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.security.setMaximumWidth(260)
        for key, text in SECURITY_CHOICES.items():
            self.security.addItem(text, key)
        self.login = QLineEdit()
        self.login.setPlaceholderText("aucun (serveur sans authentification)")
        self.sender = QLineEdit()
        self.sender.setPlaceholderText("Nom <facturation@exemple.fr>")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("inchangé")

        self._add(left, "Serveur :", self.host, "smtp_host")
        self._add(left, "Port :", self.port, "smtp_port")
        self._add(left, "Sécurité :", self.security, "smtp_security")
        self._add(right, "Identifiant :", self.login, "smtp_login")
        self._add(right, "Mot de passe :", self.password, "password")
        self._add(right, "Adresse d'expédition :", self.sender, "smtp_from")
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        outer.addLayout(columns)

        buttons = QHBoxLayout()
        self.saved_label = QLabel("")
        self.saved_label.setWordWrap(True)
        self.save_button = QPushButton("Enregistrer")
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.saved_label, 1)
        buttons.addWidget(self.save_button)
        outer.addLayout(buttons)

        for edit in (self.host, self.port, self.login, self.sender):
            edit.textChanged.connect(self._validate)
        self.security.currentIndexChanged.connect(self._security_changed)
        self.password.textEdited.connect(self._password_edited)
        return group

    def _add(self, form: QFormLayout, caption: str, widget: QWidget, key: str) -> None:
        cell = QWidget()
        cell.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        stack = QVBoxLayout(cell)
        stack.setContentsMargins(0, 0, 0, 0)
        stack.setSpacing(2)
        stack.addWidget(widget)
        error = ErrorLabel()
        stack.addWidget(error)
        self.errors[key] = error
        form.addRow(caption, cell)

    def _show_settings(self, local: LocalSettings) -> None:
        self.host.setText(local.smtp_host or "")
        self.port.setText("" if local.smtp_port is None else str(local.smtp_port))
        position = self.security.findData(local.smtp_security or "starttls")
        self.security.setCurrentIndex(max(position, 0))
        self.login.setText(local.smtp_login or "")
        self.sender.setText(local.smtp_from or "")
        self._security_changed()

    def _security_changed(self) -> None:
        security = self.security.currentData() or "starttls"
        self.port.setPlaceholderText(f"{DEFAULT_PORTS.get(security, 587)} par défaut")
        self._validate()

    def _password_edited(self) -> None:
        self.password_edited = True
        self.errors["password"].set_message("")

    def typed_settings(self) -> tuple[LocalSettings, dict[str, str]]:
        """The settings as typed (the rest of this desktop's settings kept), and their errors."""
        port_text = self.port.text().strip()
        port: int | None = None
        errors: dict[str, str] = {}
        if port_text:
            if port_text.isdigit():
                port = int(port_text)
            else:
                errors["smtp_port"] = NOT_A_PORT
        local = replace(
            self.local,
            smtp_host=self.host.text().strip() or None,
            smtp_port=port,
            smtp_security=self.security.currentData(),
            smtp_login=self.login.text().strip() or None,
            smtp_from=self.sender.text().strip() or None,
        )
        found = check_smtp_settings(local, provider_email=self.provider_email)
        return local, {**found, **errors}

    def _validate(self) -> bool:
        _local, errors = self.typed_settings()
        widgets = {
            "smtp_host": self.host,
            "smtp_port": self.port,
            "smtp_login": self.login,
            "smtp_from": self.sender,
        }
        for key, label in self.errors.items():
            if key == "password":
                continue
            message = errors.get(key, "")
            label.set_message(message)
            widget = widgets.get(key)
            if widget is not None and widget.property("invalid") != bool(message):
                widget.setProperty("invalid", bool(message))
                widget.style().unpolish(widget)
                widget.style().polish(widget)
        self.save_button.setEnabled(not errors)
        return not errors

    def save(self) -> None:
        """Keep the settings on this desktop, the password (when typed) in the keyring."""
        local, errors = self.typed_settings()
        if errors:
            self._validate()
            return
        local = with_defaults(local)
        try:
            save_local_settings(local)
        except UserError as exc:
            self._saved(exc.message, error=True)
            return
        self.local = local
        self._show_settings(local)
        text = "Paramètres d'envoi enregistrés sur ce poste."
        if self.password_edited:
            try:
                save_password(local.smtp_login or "", self.password.text(), self.password_store)
            except UserError as exc:
                self.errors["password"].set_message(exc.message)
                self._saved(text + " Le mot de passe, lui, n'a pas été enregistré.", error=True)
                return
            self.password_edited = False
            self.password.clear()
            text += " Mot de passe enregistré dans le trousseau."
        self._saved(text, error=False)

    def _saved(self, text: str, *, error: bool) -> None:
        self.saved_label.setText(text)
        self.saved_label.setStyleSheet(f"color: {RED if error else GREEN};")

    def _load_provider(self) -> None:
        def show(provider: Any) -> None:
            if not self._alive or provider is None:
                return
            self.provider_email = provider.email or None
            if self.provider_email:
                self.sender.setPlaceholderText(f"{self.provider_email} (adresse du prestataire)")
            self._validate()

        self.worker.submit(
            Job(
                work=lambda: get_provider(self.db),
                on_done=show,
                on_error=lambda _error: None,
                is_stale=lambda: not self._alive,
            )
        )

    # --- the messages ---------------------------------------------------------------------

    def _build_messages(self) -> QGroupBox:
        group = QGroupBox("Messages")
        layout = QVBoxLayout(group)
        top = QHBoxLayout()
        top.addWidget(QLabel("Afficher :"))
        self.status_filter = QComboBox()
        for text, status in STATUS_FILTERS:
            self.status_filter.addItem(text, status)
        self.status_filter.currentIndexChanged.connect(lambda _index: self.load())
        top.addWidget(self.status_filter)
        self.count_label = QLabel("Chargement…")
        top.addSpacing(12)
        top.addWidget(self.count_label, 1)
        layout.addLayout(top)

        self.model = OutboxModel(self)
        self.table = rows_table(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        layout.addWidget(self.table, 1)

        self.summary = SummaryLabel(self)
        layout.addWidget(self.summary)

        buttons = QHBoxLayout()
        self.send_button = QPushButton("Envoyer maintenant")
        self.send_button.setToolTip(
            "Envoie les messages en attente dont c'est l'heure, avec les paramètres enregistrés."
        )
        self.send_button.clicked.connect(self.send_now)
        self.retry_button = QPushButton("Renvoyer la sélection")
        self.retry_button.setToolTip("Remet en file d'attente les messages en échec sélectionnés.")
        self.retry_button.clicked.connect(self.retry_selection)
        self.reload_button = QPushButton("Actualiser")
        self.reload_button.clicked.connect(self.load)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.retry_button)
        buttons.addStretch(1)
        buttons.addWidget(self.reload_button)
        layout.addLayout(buttons)
        return group

    def selected_failed(self) -> list[int]:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        return [
            row.id
            for position in sorted(rows)
            if (row := self.model.row(position)).status is OutboxStatus.FAILED
        ]

    def _update_buttons(self) -> None:
        self.send_button.setEnabled(not self.sending)
        self.retry_button.setEnabled(not self.sending and bool(self.selected_failed()))
        self.reload_button.setEnabled(not self.loading)

    def load(self) -> None:
        status = self.status_filter.currentData()
        self.loading = True
        self.count_label.setText("Chargement…")
        self._update_buttons()
        self.worker.submit(
            Job(
                work=lambda: outbox_rows(self.db, status=status),
                on_done=self._show_rows,
                on_error=self._load_failed,
                is_stale=lambda: not self._alive,
            )
        )

    def _show_rows(self, rows: list[OutboxRow]) -> None:
        if not self._alive:
            return
        self.loading = False
        self.model.set_rows(rows)
        self.count_label.setText("Aucun message." if not rows else f"{len(rows)} message(s).")
        self._update_buttons()

    def _load_failed(self, error: Exception) -> None:
        if not self._alive:
            return
        self.loading = False
        self.count_label.setText(getattr(error, "message", str(error)))
        self._update_buttons()

    def send_now(self) -> None:
        """Send what is due in the background, with the saved settings and password."""
        if self.sending:
            return
        self.sending = True
        self.report = None
        self.summary.show_text("Envoi en cours…", error=False)
        self._update_buttons()
        db, store = self.db, self.password_store
        run_in_background(lambda: send_now(db, store), self._sent, self._send_failed)

    def _sent(self, report: SendReport) -> None:
        if not self._alive:
            return
        self.sending = False
        self.report = report
        self.summary.show_text(report_summary(report), error=bool(report.failed))
        self.load()

    def _send_failed(self, error: Exception) -> None:
        if not self._alive:
            return
        self.sending = False
        text = error.message if isinstance(error, UserError) else f"Envoi impossible : {error}"
        self.summary.show_text(escape(text), error=True)
        self.load()

    def retry_selection(self) -> None:
        ids = self.selected_failed()
        if not ids:
            return

        def done(count: int) -> None:
            if self._alive:
                self.summary.show_text(
                    escape(f"{french_int(count)} message(s) remis en file d'attente."),
                    error=False,
                )
                self.load()

        self.worker.submit(
            Job(
                work=lambda: retry_failed(self.db, ids, actor=self.actor),
                on_done=done,
                on_error=lambda error: self._send_failed(error),
                is_stale=lambda: not self._alive,
            )
        )

    def done(self, result: int) -> None:
        self._alive = False
        super().done(result)
