"""Create or edit a client's domain; the name is checked while typing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QLineEdit, QWidget

from desktop.domain.clock import PARIS, as_utc
from desktop.domain.domain_names import display_domain_name, normalize_domain_name
from desktop.domain.errors import InvalidValue
from desktop.services.choices import (
    Choice,
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
from desktop.ui.widgets.client_field import ClientRecordDialog, hint_label

if TYPE_CHECKING:
    from desktop.db.engine import Database


class DomainDialog(ClientRecordDialog):
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
        self.start(details, client_id, self.domain_name)

    def _build(self) -> None:
        form = self.form
        self.client = self.make_client_box()
        self.domain_name = QLineEdit()
        self.domain_name.setMaxLength(253)
        self.domain_name.setPlaceholderText("exemple.fr")
        self.stored_as = hint_label()
        self.stored_as.hide()
        self.is_primary = QCheckBox("Domaine principal du client")
        self.antispam = QCheckBox("Filtrage antispam activé")
        self.antispam.setChecked(True)
        self.certified = QCheckBox("Le client certifie être l'administrateur de ce domaine")
        self.certification = hint_label(
            "Il doit pouvoir en modifier les DNS, pendant toute la durée du contrat (HE §4)."
        )

        layout = self.client_layout()
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
        self.finish_layout(layout)

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
