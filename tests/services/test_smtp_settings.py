"""SMTP settings of this desktop, and the password kept in the OS keyring."""

from __future__ import annotations

import pytest

from desktop.errors import UserError
from desktop.services import smtp_settings as module
from desktop.services.smtp_settings import (
    NO_KEYRING_MESSAGE,
    KeyringStore,
    SmtpSettings,
    check_smtp_settings,
    read_password,
    save_password,
    smtp_settings,
    with_defaults,
)
from desktop.settings import LocalSettings, load_local_settings, save_local_settings

GOOD = LocalSettings(
    smtp_host="smtp.exemple.fr",
    smtp_port=587,
    smtp_security="starttls",
    smtp_login="facturation",
    smtp_from="facturation@hebergeur-demo.fr",
)


class DictStore:
    def __init__(self) -> None:
        self.passwords: dict[str, str] = {}

    def get_password(self, login: str) -> str | None:
        return self.passwords.get(login)

    def set_password(self, login: str, password: str) -> None:
        self.passwords[login] = password

    def delete_password(self, login: str) -> None:
        self.passwords.pop(login, None)


def test_complete_settings() -> None:
    assert check_smtp_settings(GOOD) == {}
    assert smtp_settings(GOOD) == SmtpSettings(
        host="smtp.exemple.fr",
        port=587,
        security="starttls",
        login="facturation",
        sender="facturation@hebergeur-demo.fr",
    )


def test_sender_falls_back_to_the_provider() -> None:
    local = LocalSettings(smtp_host="smtp.exemple.fr", smtp_security="ssl")
    assert "smtp_from" in check_smtp_settings(local)
    assert smtp_settings(local) is None
    found = smtp_settings(local, provider_email="contact@hebergeur.fr", provider_name="Hébergeur")
    assert found is not None
    assert found.sender == "Hébergeur <contact@hebergeur.fr>"
    assert found.sender_address == "contact@hebergeur.fr"
    assert (found.port, found.login) == (465, None)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"smtp_host": None}, "smtp_host", "Le serveur SMTP est obligatoire."),
        ({"smtp_host": "smtp exemple.fr"}, "smtp_host", "Nom du serveur SMTP invalide"),
        ({"smtp_port": 0}, "smtp_port", "Le port va de 1 à 65535."),
        ({"smtp_port": 70000}, "smtp_port", "Le port va de 1 à 65535."),
        ({"smtp_security": "tls"}, "smtp_security", "Sécurité de la connexion : STARTTLS"),
        ({"smtp_from": "pas-une-adresse"}, "smtp_from", ""),
        ({"smtp_from": None}, "smtp_from", "L'adresse d'expédition est obligatoire"),
    ],
)
def test_bad_settings(changes: dict[str, object], field: str, message: str) -> None:
    values = {
        "smtp_host": GOOD.smtp_host,
        "smtp_port": GOOD.smtp_port,
        "smtp_security": GOOD.smtp_security,
        "smtp_login": GOOD.smtp_login,
        "smtp_from": GOOD.smtp_from,
    } | changes
    errors = check_smtp_settings(LocalSettings(**values))  # type: ignore[arg-type]
    assert list(errors) == [field]
    assert errors[field].startswith(message)
    assert smtp_settings(LocalSettings(**values)) is None  # type: ignore[arg-type]


def test_default_port_of_the_security() -> None:
    assert with_defaults(LocalSettings(smtp_security="ssl")).smtp_port == 465
    assert with_defaults(LocalSettings()).smtp_port == 587
    assert with_defaults(GOOD) is GOOD


def test_saved_and_loaded_with_the_desktop_settings() -> None:
    save_local_settings(GOOD)
    assert load_local_settings() == GOOD
    save_local_settings(LocalSettings(smtp_port=True))  # a bool is no port
    assert load_local_settings() == LocalSettings()


def test_password_through_an_injected_store() -> None:
    store = DictStore()
    found = smtp_settings(GOOD)
    assert found is not None
    assert read_password(found, store) is None
    save_password("facturation", "s3cret", store)
    assert read_password(found, store) == "s3cret"
    save_password("facturation", "", store)
    assert store.passwords == {}
    with pytest.raises(UserError, match="identifiant SMTP"):
        save_password("  ", "x", store)


def test_without_a_keyring_backend() -> None:
    keyring = pytest.importorskip("keyring")
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    try:
        with pytest.raises(UserError) as caught:
            save_password("facturation", "s3cret")
        assert caught.value.message == NO_KEYRING_MESSAGE
        assert caught.value.message.startswith("Aucun trousseau de mots de passe disponible")
        found = smtp_settings(GOOD)
        assert found is not None
        assert read_password(found) is None
        KeyringStore().delete_password("facturation")  # no error either
    finally:
        keyring.set_keyring(previous)
    assert module.KEYRING_SERVICE == "BackOfficeMessagerie"
