"""Settings: the provider (shared by every desktop, in the database) and this desktop's own.

Tabs: "Prestataire" (identity form), "Facturation" (default VAT rate, payment
terms, late-payment penalties), "Domaines" (refused extensions) and "Base de
données" (the database this desktop opens at its next start).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from decimal import Decimal

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.db.connect import open_database
from desktop.db.engine import parse_database_url, sqlite_path
from desktop.domain.errors import InvalidValue, ValidationError, field_label
from desktop.errors import ConflictError, UserError
from desktop.paths import default_database_path
from desktop.services.provider import (
    FRENCH_VAT_RATES,
    MAX_PAYMENT_DAYS,
    MAX_PENALTY_RATE,
    ProviderDetails,
    ProviderDraft,
    check_draft,
    display_tld,
    french_rate,
    normalize_refused_tld,
)
from desktop.settings import LocalSettings
from desktop.ui.dialogs.dns_settings import open_dns_settings
from desktop.ui.dialogs.provider_form import (
    FRENCH,
    ErrorLabel,
    FieldRow,
    ProviderForm,
    WrappedLabel,
    add_field_row,
    fit_height,
    new_form_layout,
    note_label,
)
from desktop.ui.dialogs.welcome import unexpected_error_message
from desktop.ui.tasks import run_in_background
from desktop.ui.widgets.busy_dialog import BusyDialog
from desktop.ui.widgets.record_dialog import ask_reload as ask_to_reload

log = logging.getLogger(__name__)

SETTINGS_TITLE = "Paramètres"
TLD_ROLE = Qt.ItemDataRole.UserRole
"""Item data role of the refused-extension list: the extension as stored (A-label)."""

SaveProvider = Callable[[ProviderDraft, int | None], ProviderDetails]
"""Saves the provider: ``(draft, expected_version)`` → what was stored (None: create)."""


def show_warning(parent: QWidget, title: str, message: str) -> None:
    QMessageBox.warning(parent, title, message)


def ask_reload(parent: QWidget, message: str) -> bool:
    """Offer to reload after a conflict; True when the user chose "Recharger"."""
    return ask_to_reload(
        parent,
        message,
        title=SETTINGS_TITLE,
        detail="« Recharger » affiche la fiche enregistrée ; vos modifications de la fiche "
        "du prestataire seront perdues.",
    )


def probe_database(text: str) -> str:
    """Try the database named by ``text`` (empty: the user's file); a French verdict.

    Runs off the GUI thread. An SQLite file that does not exist yet is not
    created: it would be at the next start.
    """
    value = text.strip() or str(default_database_path())
    url = parse_database_url(value)
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return f"Le fichier {path} n'existe pas encore : il sera créé au prochain démarrage."
    db = open_database(value)
    try:
        return f"Connexion réussie : {db.description}."
    finally:
        db.dispose()


class SettingsDialog(BusyDialog):
    """The provider's identity and settings, and this desktop's database.

    ``save(draft, expected_version)`` stores the provider (``expected_version``
    None: it does not exist yet); ``save_local(settings)`` stores this
    desktop's settings; ``reload()``, when given, re-reads the provider after a
    conflict. Result: ``Accepted`` once saved (``details`` and ``local`` then
    hold what was stored), ``Rejected`` when cancelled.
    """

    def __init__(
        self,
        parent: QWidget | None,
        details: ProviderDetails | None,
        save: SaveProvider,
        local: LocalSettings,
        save_local: Callable[[LocalSettings], object],
        *,
        reload: Callable[[], ProviderDetails | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._save = save
        self._save_local = save_local
        self._reload = reload
        self._busy = False
        self._initial: ProviderDraft | None = None
        self.details = details
        self.local = local
        self.setWindowTitle(SETTINGS_TITLE)
        self.setModal(True)

        self.tabs = QTabWidget(self)
        self.form = ProviderForm(self)
        self.form.changed.connect(self._update_buttons)
        self.form.validity_changed.connect(self._update_buttons)
        self.tabs.addTab(_padded(self.form), "Prestataire")
        self.tabs.addTab(self._build_billing(), "Facturation")
        self.tabs.addTab(self._build_domains(), "Domaines")
        self.tabs.addTab(self._build_database(), "Base de données")

        buttons = QDialogButtonBox(self)
        self.save_button = QPushButton("Enregistrer", self)
        self.save_button.setDefault(True)
        self.cancel_button = QPushButton("Annuler", self)
        self.cancel_button.setAutoDefault(False)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self._save_clicked)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 14, 14, 12)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)

        self.database_url.setText(local.database_url or "")
        self.set_details(details)
        self.resize(980, 540)  # the width first: the wrapped texts' heights follow it
        self.resize(980, min(self.sizeHint().height() + 20, 700))

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        fit_height(self)

    # --- tabs ---------------------------------------------------------------------------

    def _build_billing(self) -> QWidget:
        page = QWidget(self)
        self.vat_rate = QComboBox(page)
        self.vat_rate.setObjectName("default_vat_rate")
        for rate in FRENCH_VAT_RATES:
            self.vat_rate.addItem(french_rate(rate), str(rate))
        self.vat_rate.currentIndexChanged.connect(self._billing_changed)

        self.payment_days = QSpinBox(page)
        self.payment_days.setObjectName("payment_days")
        self.payment_days.setLocale(FRENCH)
        self.payment_days.setRange(0, MAX_PAYMENT_DAYS)
        self.payment_days.setSuffix(" jours")
        self.payment_days.valueChanged.connect(self._billing_changed)

        self.penalty_rate = QDoubleSpinBox(page)
        self.penalty_rate.setObjectName("penalty_rate")
        self.penalty_rate.setLocale(FRENCH)
        self.penalty_rate.setDecimals(2)
        self.penalty_rate.setRange(0, float(MAX_PENALTY_RATE))
        self.penalty_rate.setSingleStep(0.5)
        self.penalty_rate.setSuffix(" %")
        self.penalty_rate.valueChanged.connect(self._billing_changed)

        self.billing_rows = {
            "default_vat_rate": FieldRow("default_vat_rate", self.vat_rate, page),
            "payment_days": FieldRow("payment_days", self.payment_days, page),
            "penalty_rate": FieldRow("penalty_rate", self.penalty_rate, page),
        }
        for editor in (self.vat_rate, self.payment_days, self.penalty_rate):
            editor.setMinimumWidth(160)
            editor.setMaximumWidth(220)
        form = new_form_layout()
        add_field_row(form, "Taux de TVA par défaut", self.billing_rows["default_vat_rate"])
        add_field_row(form, "Délai de paiement", self.billing_rows["payment_days"])
        form.addRow(_note("À compter de la date d'émission de la facture ; 60 jours au plus."))
        add_field_row(form, "Pénalités de retard", self.billing_rows["penalty_rate"])
        form.addRow(
            _note(
                "Taux annuel. La loi (Code de commerce, art. L441-10) interdit un taux inférieur "
                "à trois fois le taux d'intérêt légal ; sans mention, c'est le taux de la BCE "
                "majoré de 10 points. L'indemnité forfaitaire de 40 € pour frais de "
                "recouvrement s'y ajoute."
            )
        )
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addStretch(1)
        return page

    def _build_domains(self) -> QWidget:
        page = QWidget(self)
        intro = _note(
            "Extensions incompatibles avec le service de messagerie : un nom de domaine qui "
            "se termine ainsi est refusé à la saisie (par exemple .tel)."
        )
        self.tld_list = QListWidget(page)
        self.tld_list.setObjectName("refused_tlds")
        self.tld_list.setMinimumHeight(160)
        self.tld_list.setSortingEnabled(True)
        self.tld_list.itemSelectionChanged.connect(self._update_tld_buttons)
        self.tld_edit = QLineEdit(page)
        self.tld_edit.setObjectName("new_tld")
        self.tld_edit.setPlaceholderText("Extension, par exemple tel")
        self.tld_edit.setMaxLength(70)
        self.tld_edit.textChanged.connect(self._tld_typed)
        self.tld_edit.installEventFilter(self)  # Enter adds the extension, it does not save
        self.add_tld_button = QPushButton("Ajouter", page)
        self.add_tld_button.setAutoDefault(False)
        self.add_tld_button.clicked.connect(self._add_tld)
        self.remove_tld_button = QPushButton("Retirer la sélection", page)
        self.remove_tld_button.setAutoDefault(False)
        self.remove_tld_button.clicked.connect(self._remove_tlds)
        self.tld_error = ErrorLabel(page)

        column = QWidget(page)
        column.setFixedWidth(380)
        adder = QHBoxLayout()
        adder.addWidget(self.tld_edit, 1)
        adder.addWidget(self.add_tld_button)
        left = QVBoxLayout(column)
        left.setContentsMargins(0, 0, 0, 0)
        left.addLayout(adder)
        left.addWidget(self.tld_error)
        left.addWidget(self.tld_list, 1)
        side = QVBoxLayout()
        side.addSpacing(self.tld_edit.sizeHint().height() + 6)
        side.addWidget(self.remove_tld_button)
        side.addStretch(1)
        columns = QHBoxLayout()
        columns.addWidget(column)
        columns.addLayout(side)
        columns.addStretch(1)
        self.dns_button = QPushButton("Enregistrements DNS des fiches d'instructions…", page)
        self.dns_button.setAutoDefault(False)
        self.dns_button.clicked.connect(self.edit_dns_records)
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addLayout(columns, 1)
        layout.addWidget(self.dns_button, 0, Qt.AlignmentFlag.AlignLeft)
        self._tld_typed("")
        return page

    def _build_database(self) -> QWidget:
        page = QWidget(self)
        self.database_url = QLineEdit(page)
        self.database_url.setObjectName("database_url")
        self.database_url.setMinimumWidth(460)
        self.database_url.setPlaceholderText(f"Vide : {default_database_path()}")
        self.database_url.setClearButtonEnabled(True)
        self.database_url.textChanged.connect(self._database_typed)
        self.database_row = FieldRow("database_url", self.database_url, page)
        self.test_button = QPushButton("Tester la connexion", page)
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = WrappedLabel("", page)
        self.test_result.setObjectName("test_result")
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        tester = QHBoxLayout()
        tester.addWidget(self.test_button)
        tester.addWidget(self.test_result, 1)

        form = new_form_layout()
        add_field_row(form, "Adresse", self.database_row)
        layout = QVBoxLayout(page)
        layout.addWidget(
            _note(
                "La base de données que ce poste ouvre : le chemin d'un fichier SQLite, ou "
                "l'adresse d'un serveur PostgreSQL partagé, par exemple :"
            )
        )
        example = QLabel("postgresql://utilisateur@serveur:5432/backoffice", page)
        example.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        example.setStyleSheet("font-family: monospace; padding-left: 12px;")
        layout.addWidget(example)
        layout.addWidget(
            _note(
                "Ce réglage est propre à ce poste et s'applique au prochain démarrage ; "
                "l'option --db et la variable BACKOFFICE_DB restent prioritaires."
            )
        )
        layout.addLayout(form)
        layout.addLayout(tester)
        layout.addStretch(1)
        return page

    # --- loading ------------------------------------------------------------------------

    def set_details(self, details: ProviderDetails | None) -> None:
        """Show the provider as stored (None: not created yet)."""
        self.details = details
        self.form.set_draft(details, reveal=details is not None)
        draft = self.form.draft()
        self._set_vat_rate(draft.default_vat_rate)
        self.payment_days.setValue(draft.payment_days)
        self.penalty_rate.setValue(float(draft.penalty_rate))
        self.tld_list.clear()
        for tld in draft.refused_tlds:
            self._append_tld(tld)
        for row in self.billing_rows.values():
            row.error.show_message(None)
        self._initial = self.provider_draft()
        self._update_buttons()

    def _set_vat_rate(self, rate: Decimal) -> None:
        index = self.vat_rate.findData(str(rate))
        if index < 0:  # a rate outside the list: shown as is, refused at save
            self.vat_rate.addItem(french_rate(rate), str(rate))
            index = self.vat_rate.count() - 1
        self.vat_rate.setCurrentIndex(index)

    # --- reading ------------------------------------------------------------------------

    def refused_tlds(self) -> tuple[str, ...]:
        return tuple(
            str(self.tld_list.item(row).data(TLD_ROLE)) for row in range(self.tld_list.count())
        )

    def provider_draft(self) -> ProviderDraft:
        """The identity of the first tab with the settings of the others."""
        return replace(
            self.form.draft(),
            default_vat_rate=Decimal(str(self.vat_rate.currentData())),
            payment_days=self.payment_days.value(),
            penalty_rate=Decimal(f"{self.penalty_rate.value():.2f}"),
            refused_tlds=self.refused_tlds(),
        )

    def local_settings(self) -> LocalSettings:
        return replace(self.local, database_url=self.database_url.text().strip() or None)

    def provider_changed(self) -> bool:
        return self.provider_draft() != self._initial

    def _database_error(self) -> str | None:
        text = self.database_url.text().strip()
        if not text:
            return None
        try:
            parse_database_url(text)
        except UserError as exc:
            return exc.message
        return None

    # --- edits --------------------------------------------------------------------------

    def _billing_changed(self, *_args: object) -> None:
        for row in self.billing_rows.values():
            row.error.show_message(None)
        self._update_buttons()

    def _tld_typed(self, text: str) -> None:
        error = None
        if text.strip():
            try:
                tld = normalize_refused_tld(text)
            except InvalidValue as exc:
                error = exc.message
            else:
                if tld in self.refused_tlds():
                    error = f"L'extension .{display_tld(tld)} est déjà dans la liste."
        self.tld_error.show_message(error)
        self.add_tld_button.setEnabled(bool(text.strip()) and error is None)

    def _add_tld(self) -> None:
        text = self.tld_edit.text()
        try:
            tld = normalize_refused_tld(text)
        except InvalidValue:
            return
        if tld in self.refused_tlds():
            return
        self._append_tld(tld)
        self.tld_edit.clear()
        self._update_buttons()

    def _append_tld(self, tld: str) -> None:
        item = QListWidgetItem(f".{display_tld(tld)}")
        item.setData(TLD_ROLE, tld)
        if display_tld(tld) != tld:
            item.setToolTip(f".{tld}")
        self.tld_list.addItem(item)

    def _remove_tlds(self) -> None:
        for item in self.tld_list.selectedItems():
            self.tld_list.takeItem(self.tld_list.row(item))
        self._tld_typed(self.tld_edit.text())
        self._update_buttons()

    def edit_dns_records(self) -> None:
        """The DNS values the instruction sheets print, per product line (saved apart)."""
        self.dns_dialog = open_dns_settings(self)

    def _update_tld_buttons(self) -> None:
        self.remove_tld_button.setEnabled(bool(self.tld_list.selectedItems()) and not self._busy)

    def _database_typed(self, _text: str) -> None:
        self.database_row.error.show_message(self._database_error())
        self.test_result.clear()
        self._update_buttons()

    def _update_buttons(self, *_args: object) -> None:
        if not hasattr(self, "save_button"):
            return  # still building
        provider_ok = not self.provider_changed() or not check_draft(self.provider_draft())
        database_ok = self._database_error() is None
        self.save_button.setEnabled(not self._busy and provider_ok and database_ok)
        self.cancel_button.setEnabled(not self._busy)
        self.test_button.setEnabled(not self._busy and database_ok)
        self.tabs.setEnabled(not self._busy)
        self._update_tld_buttons()

    # --- connection test ----------------------------------------------------------------

    def test_connection(self) -> None:
        text = self.database_url.text()
        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet("")
        self.test_result.setText("Connexion en cours…")
        run_in_background(lambda: probe_database(text), self._tested, self._test_failed)

    def _tested(self, verdict: object) -> None:
        self.test_result.setStyleSheet("color: #1b6e20;")
        self.test_result.setText(str(verdict))
        self._update_buttons()

    def _test_failed(self, exc: Exception) -> None:
        self.test_result.setStyleSheet("color: #b3261e;")
        if isinstance(exc, UserError):
            self.test_result.setText(exc.message)
        else:
            log.warning("database test failed", exc_info=exc)
            self.test_result.setText(f"Connexion impossible : {exc}")
        self._update_buttons()

    # --- saving -------------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)
        self._update_buttons()

    def _save_clicked(self) -> None:
        if self._busy or not self.save_button.isEnabled():
            return
        local = self.local_settings()
        if local != self.local:
            try:
                self._save_local(local)
            except UserError as exc:
                show_warning(self, SETTINGS_TITLE, exc.message)
                return
            self.local = local
        if not self.provider_changed():
            self.accept()
            return
        draft = self.provider_draft()
        version = None if self.details is None else self.details.version
        self._set_busy(True)
        run_in_background(lambda: self._save(draft, version), self._saved, self._failed)

    def _saved(self, details: object) -> None:
        self._set_busy(False)
        if isinstance(details, ProviderDetails):
            self.details = details
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self._set_busy(False)
        if isinstance(exc, ConflictError):
            self._conflict(exc)
        elif isinstance(exc, ValidationError):
            self.show_errors(exc.errors)
        elif isinstance(exc, UserError):
            show_warning(self, SETTINGS_TITLE, exc.message)
        else:
            log.error("saving the settings failed", exc_info=exc)
            show_warning(self, SETTINGS_TITLE, unexpected_error_message(exc))

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """A save's errors, each under its field; the first tab with one comes forward."""
        others = self.form.show_errors(errors)
        for field, row in self.billing_rows.items():
            row.error.show_message(others.pop(field, None))
        tlds = others.pop("refused_tlds", None)
        if tlds is not None:
            self.tld_error.show_message(tlds)
        if any(f in self.form.rows for f in errors):
            self.tabs.setCurrentIndex(0)
        elif any(f in self.billing_rows for f in errors):
            self.tabs.setCurrentIndex(1)
        elif tlds is not None:
            self.tabs.setCurrentIndex(2)
        if others:
            lines = "\n".join(f"{field_label(f)} : {m}" for f, m in others.items())
            show_warning(self, SETTINGS_TITLE, lines)

    def _conflict(self, exc: ConflictError) -> None:
        if self._reload is None:
            show_warning(self, SETTINGS_TITLE, exc.message)
            return
        if not ask_reload(self, exc.message):
            return
        reload = self._reload
        self._set_busy(True)
        run_in_background(reload, self._reloaded, self._failed)

    def _reloaded(self, details: object) -> None:
        self._set_busy(False)
        self.set_details(details if isinstance(details, ProviderDetails) else None)

    # --- keys (no way out while saving: BusyDialog) -------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (
            watched is self.tld_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self._add_tld()
            return True
        return super().eventFilter(watched, event)


def _padded(widget: QWidget) -> QWidget:
    """``widget`` with some room around it, as a tab page."""
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(10, 10, 10, 6)
    layout.addWidget(widget)
    return page


def _note(text: str) -> QLabel:
    return note_label(text)
