"""The office's SMTP server as set on this desktop; its password in the OS keyring.

Host, port, security, login and sender live in :class:`desktop.settings.LocalSettings`
(a JSON file); the password never does: it goes to the OS keyring (Windows
Credential Manager, macOS Keychain, Secret Service) through the ``keyring``
package, under the service ``BackOfficeMessagerie`` and the login as user name.
Where no keyring is available (a bare Linux box, CI), reading gives None and
saving raises a French :class:`UserError`. Tests inject a :class:`PasswordStore`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from email.headerregistry import Address
from email.utils import parseaddr
from typing import Literal, Protocol

from desktop.domain.emails import normalize_email
from desktop.domain.errors import InvalidValue
from desktop.errors import UserError
from desktop.settings import LocalSettings

KEYRING_SERVICE = "BackOfficeMessagerie"
SECURITY_CHOICES: dict[str, str] = {
    "starttls": "STARTTLS",
    "ssl": "SSL/TLS",
    "none": "Aucune (non chiffrée)",
}
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "ssl": 465, "none": 25}
NO_KEYRING_MESSAGE = (
    "Aucun trousseau de mots de passe disponible sur ce poste : "
    "le mot de passe SMTP ne peut pas être enregistré."
)

Security = Literal["starttls", "ssl", "none"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class SmtpSettings:
    """Where and how to send. ``sender``: the From header (``Nom <adresse>`` or an address)."""

    host: str
    port: int
    security: Security
    login: str | None
    sender: str

    @property
    def sender_address(self) -> str:
        return parseaddr(self.sender)[1]


def smtp_settings(
    local: LocalSettings, provider_email: str | None = None, provider_name: str | None = None
) -> SmtpSettings | None:
    """The SMTP settings saved on this desktop; None when incomplete or invalid.

    The sender is ``smtp_from``, else the provider's email (named after the
    provider when ``provider_name`` is given).
    """
    if check_smtp_settings(local, provider_email=provider_email):
        return None
    security: Security = local.smtp_security or "starttls"  # type: ignore[assignment]
    sender = local.smtp_from or provider_email or ""
    if provider_name and "<" not in sender:
        sender = str(Address(display_name=provider_name, addr_spec=sender))
    return SmtpSettings(
        host=(local.smtp_host or "").strip(),
        port=local.smtp_port or DEFAULT_PORTS[security],
        security=security,
        login=local.smtp_login or None,
        sender=sender,
    )


def check_smtp_settings(
    local: LocalSettings, *, provider_email: str | None = None
) -> dict[str, str]:
    """Field name → French message, for every SMTP field that is wrong (empty: all good)."""
    errors: dict[str, str] = {}
    host = (local.smtp_host or "").strip()
    if not host:
        errors["smtp_host"] = "Le serveur SMTP est obligatoire."
    elif any(c.isspace() for c in host) or "/" in host:
        errors["smtp_host"] = "Nom du serveur SMTP invalide (par exemple smtp.exemple.fr)."
    port = local.smtp_port
    if port is not None and (
        isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535
    ):
        errors["smtp_port"] = "Le port va de 1 à 65535."
    if local.smtp_security is not None and local.smtp_security not in SECURITY_CHOICES:
        choices = ", ".join(SECURITY_CHOICES.values())
        errors["smtp_security"] = f"Sécurité de la connexion : {choices}."
    sender = local.smtp_from or provider_email
    if not sender:
        errors["smtp_from"] = (
            "L'adresse d'expédition est obligatoire "
            "(ou l'adresse e-mail du prestataire dans ses paramètres)."
        )
    else:
        try:
            normalize_email(parseaddr(sender)[1] or sender)
        except InvalidValue as exc:
            errors["smtp_from"] = exc.message
    if local.smtp_login is not None and any(c in local.smtp_login for c in "\r\n"):
        errors["smtp_login"] = "Identifiant invalide."
    return errors


def with_defaults(local: LocalSettings) -> LocalSettings:
    """The settings with the port of the chosen security filled in when left empty."""
    security = local.smtp_security or "starttls"
    if local.smtp_port is None and security in DEFAULT_PORTS:
        return replace(local, smtp_port=DEFAULT_PORTS[security], smtp_security=security)
    return local


# --- password ---------------------------------------------------------------------------


class PasswordStore(Protocol):
    """Where the SMTP password is kept (the OS keyring; a dict in tests)."""

    def get_password(self, login: str) -> str | None: ...

    def set_password(self, login: str, password: str) -> None: ...

    def delete_password(self, login: str) -> None: ...


class KeyringStore:
    """The OS keyring, through the ``keyring`` package."""

    def __init__(self, service: str = KEYRING_SERVICE) -> None:
        self.service = service

    def get_password(self, login: str) -> str | None:
        try:
            import keyring
            from keyring.errors import KeyringError

            try:
                return keyring.get_password(self.service, login)
            except KeyringError as exc:
                log.warning("no keyring to read the SMTP password: %s", exc)
                return None
        except Exception as exc:  # noqa: BLE001 - a broken backend must not stop sending
            log.warning("keyring unusable, SMTP password not read: %s", exc)
            return None

    def set_password(self, login: str, password: str) -> None:
        try:
            import keyring

            keyring.set_password(self.service, login, password)
        except Exception as exc:  # noqa: BLE001 - NoKeyringError, missing package, D-Bus…
            raise UserError(NO_KEYRING_MESSAGE) from exc

    def delete_password(self, login: str) -> None:
        try:
            import keyring

            keyring.delete_password(self.service, login)
        except Exception as exc:  # noqa: BLE001 - nothing stored, or no keyring
            log.info("SMTP password not deleted: %s", exc)


def read_password(settings: SmtpSettings, store: PasswordStore | None = None) -> str | None:
    """The password for the settings' login; None without login or stored password."""
    if not settings.login:
        return None
    return (store or KeyringStore()).get_password(settings.login)


def save_password(login: str, password: str, store: PasswordStore | None = None) -> None:
    """Keep the password in the keyring (an empty one deletes it); UserError without keyring."""
    login = login.strip()
    if not login:
        raise UserError("Indiquez l'identifiant SMTP avant le mot de passe.")
    target = store or KeyringStore()
    if password:
        target.set_password(login, password)
    else:
        target.delete_password(login)
