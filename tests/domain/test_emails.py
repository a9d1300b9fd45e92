"""E-mail addresses of third parties and local parts of hosted mailboxes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.domain_names import normalize_domain_name
from desktop.domain.emails import mailbox_address, normalize_email, normalize_local_part
from desktop.domain.errors import InvalidValue


def _invalid(fn: Callable[[], object]) -> str:
    with pytest.raises(InvalidValue) as info:
        fn()
    assert str(info.value) == info.value.message
    return info.value.message


# --- normalize_email --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("jean@exemple.fr", "jean@exemple.fr"),
        ("  jean@exemple.fr ", "jean@exemple.fr"),
        ("Jean.Dupont@EXEMPLE.FR", "Jean.Dupont@exemple.fr"),  # local part keeps its case
        ("jean@café.fr", "jean@xn--caf-dma.fr"),
        ("jean@CAFÉ.fr", "jean@xn--caf-dma.fr"),
        ("jean@xn--caf-dma.fr", "jean@xn--caf-dma.fr"),
        ("compta+factures@exemple.fr", "compta+factures@exemple.fr"),
        ("o'neil@exemple.ie", "o'neil@exemple.ie"),
        ("a_b-c.d@sous.domaine.exemple.fr", "a_b-c.d@sous.domaine.exemple.fr"),
        ("contact@example.tel", "contact@example.tel"),  # refused TLDs only matter for hosting
        ("info@exemple.ελ", "info@exemple.xn--qxam"),
        ("x" * 64 + "@exemple.fr", "x" * 64 + "@exemple.fr"),
    ],
)
def test_email_valid(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


def test_email_domain_agrees_with_normalize_domain_name() -> None:
    address = normalize_email("Marie@Bücher。DE")
    assert address == "Marie@xn--bcher-kva.de"
    assert address.split("@")[1] == normalize_domain_name("Bücher。DE", ())


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("", "obligatoire"),
        ("   ", "obligatoire"),
        ("jean.exemple.fr", "doit contenir un « @ »"),
        ("@exemple.fr", "partie avant le « @ »"),
        ("jean@", "Il manque le nom de domaine"),
        ("jean@dupont@exemple.fr", "qu'un seul « @ »"),
        ("jean dupont@exemple.fr", "espace"),
        ("jé@exemple.fr", "« é »"),
        ("jean(x)@exemple.fr", "Caractère « ( » non autorisé avant le « @ »"),
        ("jean,dupont@exemple.fr", "« , »"),
        (".jean@exemple.fr", "point"),
        ("jean.@exemple.fr", "point"),
        ("jean..dupont@exemple.fr", "deux points consécutifs"),
        ('"jean"@exemple.fr', "guillemets"),
        ('"je@n"@exemple.fr', "guillemets"),
        ("jean@[192.168.0.1]", "adresse IP"),
        ("jean@[IPv6:2001:db8::1]", "adresse IP"),
        ("jean@192.168.0.1", "adresse IP"),
        ("jean@localhost", "Extension manquante"),
        ("jean@exemple", "Extension manquante"),
        ("jean@exemple.fr.", "point"),
        ("jean@exemple..fr", "deux points consécutifs"),
        ("jean@-exemple.fr", "tiret"),
        ("jean@exemple_1.fr", "« _ »"),
        ("jean@exemple.123", "uniquement numérique"),
        ("jean@exemple.local", "réservé"),
        ("jean@exemple.onion", "réservé"),
        ("x" * 65 + "@exemple.fr", "64 caractères"),
        ("xyz@" + ".".join(["a" * 63] * 3 + ["b" * 60]), "trop longue (256 caractères"),
    ],
)
def test_email_invalid(raw: str, words: str) -> None:
    message = _invalid(lambda: normalize_email(raw))
    assert words in message


def test_email_domain_error_is_explained() -> None:
    message = _invalid(lambda: normalize_email("jean@exemple_1.fr"))
    assert message.startswith("Nom de domaine de l'adresse e-mail invalide.")


# --- normalize_local_part ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("jean", "jean"),
        ("Jean.Dupont", "jean.dupont"),
        (" contact ", "contact"),
        ("service-client_2", "service-client_2"),
        ("2024.archives", "2024.archives"),
        ("a", "a"),
        ("a" * 64, "a" * 64),
    ],
)
def test_local_part_valid(raw: str, expected: str) -> None:
    assert normalize_local_part(raw) == expected


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("", "obligatoire"),
        ("jean+info", "« + »"),
        ("jean+info", "sous-adresses"),
        ("jérôme", "Caractère « é » non autorisé"),
        ("jean!", "« ! »"),
        ("İnci", "« İ »"),  # would lower-case to two characters
        ("jean dupont", "espace"),
        ("jean@exemple.fr", "partie avant le « @ »"),
        (".jean", "commencer par une lettre ou un chiffre"),
        ("_jean", "commencer par une lettre ou un chiffre"),
        ("-jean", "commencer par une lettre ou un chiffre"),
        ("jean.", "se terminer par un point"),
        ("jean..dupont", "deux points consécutifs"),
        ("a" * 65, "64 caractères (65 saisis)"),
    ],
)
def test_local_part_invalid(raw: str, words: str) -> None:
    assert words in _invalid(lambda: normalize_local_part(raw))


def test_mailbox_address() -> None:
    assert mailbox_address("jean.dupont", "xn--caf-dma.fr") == "jean.dupont@xn--caf-dma.fr"
    address = mailbox_address(normalize_local_part("Jean"), normalize_domain_name("Café.fr"))
    assert normalize_email(address) == address == "jean@xn--caf-dma.fr"


# --- properties -------------------------------------------------------------------------

_plausible_emails = st.from_regex(r"\A[a-zA-Z0-9._+\-'\"é ]{0,16}@[a-zA-Z0-9.\-_éü\[\]:]{0,24}\Z")
_plausible_local_parts = st.from_regex(r"\A[a-zA-Z0-9._+\-é@ ]{0,70}\Z")


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), _plausible_emails))
def test_fuzz_normalize_email(value: str) -> None:
    try:
        result = normalize_email(value)
    except InvalidValue as exc:
        assert exc.message
        return
    assert isinstance(result, str)
    assert result.isascii()
    local, _, domain = result.rpartition("@")
    assert local and "@" not in local
    assert domain == normalize_domain_name(domain, ())
    assert normalize_email(result) == result


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), _plausible_local_parts))
def test_fuzz_normalize_local_part(value: str) -> None:
    try:
        result = normalize_local_part(value)
    except InvalidValue as exc:
        assert exc.message
        return
    assert isinstance(result, str)
    assert result.isascii() and result == result.lower()
    assert 1 <= len(result) <= 64
    assert normalize_local_part(result) == result
    assert normalize_email(mailbox_address(result, "exemple.fr")) == result + "@exemple.fr"
