"""Create or edit a client's domain; the name is checked while typing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.domain.clock import PARIS, as_utc
from desktop.domain.domain_names import display_domain_name, normalize_domain_name
from desktop.domain.errors import InvalidValue
from desktop.services.choices import (
    Choice,
    client_choice,
    client_choices,
    refused_extensions,
)
from desktop.services.domains import (
    ADMIN_CERTIFICATION_REQUIRED,
    DomainDetails,
    DomainDraft,
    create_domain,
    get_domain,
    update_domain,
)
from desktop.ui.widgets.choice_box import ChoiceBox
from desktop.ui.widgets.record_dialog import RecordDialog
from desktop.ui.widgets.validated_form import chosen

if TYPE_CHECKING:
    from desktop.db.engine import Database

CLIENT_PLACEHOLDER = "Code ou nom du client"


def _hint(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


class DomainDialog(RecordDialog):
    """A new domain (of ``client_id`` if given, locked) or the domain ``details``."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        db: Database,
        details: DomainDetails | None = None,
        client_id: int | None = None,
        actor: str,
    ) -> None:
        super().__init__(parent, title="Nouveau domaine" if details is None else "Domaine")
        self.db = db
        self.actor = actor
        self.details = details
        self.refused = refused_extensions(db)
        self._build()
        if details is not None:
            self.load(details)
        else:
            with self.form.quietly():
                if client_id is not None:
                    self._lock_client(client_id)
                else:
                    self.client.set_choices(client_choices(db))
        (self.domain_name if self.client.current_id() else self.client).setFocus()

    def _build(self) -> None:
        form = self.form
        self.client = ChoiceBox(
            search=lambda text: client_choices(self.db, text), placeholder=CLIENT_PLACEHOLDER
        )
        self.domain_name = QLineEdit()
        self.domain_name.setMaxLength(253)
        self.domain_name.setPlaceholderText("exemple.fr")
        self.stored_as = _hint()
        self.stored_as.hide()
        self.is_primary = QCheckBox("Domaine principal du client")
        self.antispam = QCheckBox("Filtrage antispam activé")
        self.antispam.setChecked(True)
        self.certified = QCheckBox("Le client certifie être l'administrateur de ce domaine")
        self.certification = _hint(
            "Il doit pouvoir en modifier les DNS, pendant toute la durée du contrat (HE §4)."
        )

        layout = QFormLayout()
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.add_row(
            layout,
            "Client",
            form.add("client_id", self.client, chosen("Choisissez le client dans la liste.")),
        )
        form.add_row(
            layout,
            "Nom de domaine",
            form.add("domain_name", self.domain_name, self._check_name),
            note=self.stored_as,
        )
        form.add_row(layout, "", form.add("is_primary", self.is_primary))
        form.add_row(layout, "", form.add("antispam_enabled", self.antispam))
        form.add_row(
            layout,
            "Certification",
            form.add("admin_certified", self.certified, _check_certified),
            note=self.certification,
        )
        column = QVBoxLayout(self.body)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(layout)
        column.addStretch(1)

        self.client.choice_changed.connect(self._client_changed)
        self.resize(640, 320)

    # --- behaviour ----------------------------------------------------------------------

    def _check_name(self, text: str) -> str:
        """The A-label; an internationalised name also shows how it is stored."""
        self._show_stored_as("")
        name = normalize_domain_name(text, self.refused)
        if name != display_domain_name(name):
            self._show_stored_as(f"Enregistré sous la forme {name}.")
        return name

    def _show_stored_as(self, text: str) -> None:
        self.stored_as.setText(text)
        self.stored_as.setVisible(bool(text))

    def _lock_client(self, client_id: int) -> None:
        choice = client_choice(self.db, client_id)
        if choice is None:
            self.form.show_general("Ce client est introuvable.")
            return
        self.client.lock(choice)

    def _client_changed(self) -> None:
        """A domain moved to another client is certified again, by that client."""
        if self.form.is_loading or self.details is None:
            return
        chosen_id = self.client.current_id()
        if chosen_id is not None and chosen_id != self.details.client_id:
            self.certified.setChecked(False)

    # --- RecordDialog -------------------------------------------------------------------

    def build_draft(self) -> DomainDraft:
        value = self.form.value
        return DomainDraft(
            client_id=value("client_id"),
            name=value("domain_name"),
            is_primary=value("is_primary"),
            antispam_enabled=value("antispam_enabled"),
            admin_certified=value("admin_certified"),
        )

    def write(self, draft: DomainDraft) -> DomainDetails:
        if self.details is None:
            return create_domain(self.db, draft, actor=self.actor)
        return update_domain(
            self.db,
            self.details.id,
            draft,
            expected_version=self.details.version,
            actor=self.actor,
        )

    def reload(self) -> DomainDetails:
        assert self.details is not None
        return get_domain(self.db, self.details.id)

    def fill(self, details: DomainDetails) -> None:
        self.details = details
        self.setWindowTitle(f"Domaine {details.display_name} — {details.client_name}")
        owner = Choice(details.client_id, f"{details.client_code} — {details.client_name}")
        self.client.set_choices([owner], selected=owner.id)
        self.domain_name.setText(details.display_name)
        self.is_primary.setChecked(details.is_primary)
        self.antispam.setChecked(details.antispam_enabled)
        self.certified.setChecked(details.admin_certified_at is not None)
        self.certification.setText(_certification_text(details))


def _check_certified(checked: bool) -> bool:
    if not checked:
        raise InvalidValue(ADMIN_CERTIFICATION_REQUIRED)
    return checked


def _certification_text(details: DomainDetails) -> str:
    if details.admin_certified_at is None:
        return "Certification à recueillir auprès du client (HE §4)."
    at = as_utc(details.admin_certified_at).astimezone(PARIS)
    by = f" par {details.admin_certified_by}" if details.admin_certified_by else ""
    count = details.mailbox_count
    mailboxes = f"{count} boîte{'s' if count > 1 else ''} aux lettres"
    return (
        f"Certifié le {at:%d/%m/%Y} à {at:%H:%M}{by} · "
        f"DNS : {details.dns_status.label.lower()} · {mailboxes}"
    )
