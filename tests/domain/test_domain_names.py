"""Domain names: IDNA 2008 / UTS 46 normalisation and refused extensions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.domain_names import (
    DEFAULT_REFUSED_TLDS,
    display_domain_name,
    normalize_domain_name,
)
from desktop.domain.errors import InvalidValue

TEL_REFUSED = "L'extension « .tel » n'est pas compatible avec le service de messagerie."


def _invalid(value: str, refused: tuple[str, ...] = DEFAULT_REFUSED_TLDS) -> str:
    with pytest.raises(InvalidValue) as info:
        normalize_domain_name(value, refused)
    assert str(info.value) == info.value.message
    return info.value.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("café.fr", "xn--caf-dma.fr"),
        ("Café.FR", "xn--caf-dma.fr"),
        ("EXEMPLE.FR.", "exemple.fr"),
        ("  exemple.fr  ", "exemple.fr"),
        ("sous.domaine.exemple.fr", "sous.domaine.exemple.fr"),
        ("xn--caf-dma.fr", "xn--caf-dma.fr"),  # already-encoded A-label
        ("XN--CAF-DMA.FR", "xn--caf-dma.fr"),
        ("bücher。de", "xn--bcher-kva.de"),  # ideographic full stop mapped to "."
        ("ａｂｃ.ｆｒ", "abc.fr"),  # full-width letters mapped
        ("straße.de", "xn--strae-oqa.de"),  # IDNA 2008: ß is kept, not mapped to "ss"
        ("exemple.ελ", "exemple.xn--qxam"),  # IDN extension
        ("例え.テスト", "xn--r8jz45g.xn--zckzah"),
        ("a-b.fr", "a-b.fr"),
        ("123.fr", "123.fr"),
        ("a" * 63 + ".fr", "a" * 63 + ".fr"),
    ],
)
def test_valid(raw: str, expected: str) -> None:
    assert normalize_domain_name(raw) == expected


def test_max_length_253() -> None:
    name = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 61])
    assert len(name) == 253
    assert normalize_domain_name(name) == name


def test_tel_refused_by_default() -> None:
    assert _invalid("example.tel") == TEL_REFUSED
    assert _invalid("EXEMPLE.TEL.") == TEL_REFUSED


@pytest.mark.parametrize("refused", [(".TEL",), ("tel",), (" Tel. ",), ("com", ".tel")])
def test_refused_list_entries_are_normalised(refused: tuple[str, ...]) -> None:
    assert _invalid("example.tel", refused) == TEL_REFUSED


def test_refused_idn_extension() -> None:
    message = _invalid("exemple.ελ", ("ελ",))
    assert "« .ελ »" in message
    assert normalize_domain_name("exemple.ελ", ()) == "exemple.xn--qxam"


def test_no_refused_extension() -> None:
    assert normalize_domain_name("example.tel", refused_tlds=()) == "example.tel"
    assert normalize_domain_name("example.tel", refused_tlds=["com"]) == "example.tel"


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("", "obligatoire"),
        ("   ", "obligatoire"),
        (".", "obligatoire"),
        ("localhost", "Extension manquante"),
        ("a..b.fr", "deux points consécutifs"),
        (".exemple.fr", "commencer par un point"),
        ("-a.fr", "« -a »"),
        ("a-.fr", "tiret"),
        ("ab--cd.fr", "3e et 4e positions"),
        ("a_b.fr", "Caractère « _ » non autorisé"),
        ("*.exemple.fr", "« * »"),
        ("a.☃.fr", "« ☃ »"),
        ("ex ample.fr", "espace"),
        ("exemple .fr", "espace"),
        ("192.168.0.1", "adresse IP"),
        ("192.168.0.1.", "adresse IP"),
        ("::1", "adresse IP"),
        ("[2001:db8::1]", "adresse IP"),
        ("1.2.3.4.5", "uniquement numérique"),
        ("exemple.123", "uniquement numérique"),
        ("a" * 64 + ".fr", "dépasse 63 caractères"),
        ("jean@exemple.fr", "sans « @ »"),
        ("https://exemple.fr/", "https://"),
        ("xn--caf-dmb.fr", "xn--"),  # bad Punycode
        ("xn--.fr", "xn--"),
        ("xn--n3h.fr", "xn--"),  # decodes to a disallowed symbol (☃)
        ("\u0301a.fr", "diacritique"),
        ("a\u200db.fr", "IDNA"),  # zero-width joiner out of context
        ("\x00.fr", "U+0000"),
    ],
)
def test_invalid(raw: str, words: str) -> None:
    assert words in _invalid(raw)


def test_too_long_254() -> None:
    name = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 62])
    assert len(name) == 254
    assert "trop long (254 caractères" in _invalid(name)


def test_too_long_once_encoded() -> None:
    # 30 distinct ideographs fit in 63 characters as Unicode but not as an A-label.
    label = "".join(chr(0x4E00 + 37 * i) for i in range(30))
    assert "dépasse 63 caractères" in _invalid(label + ".fr")


@pytest.mark.parametrize(
    ("a_label", "expected"),
    [
        ("xn--caf-dma.fr", "café.fr"),
        ("exemple.fr", "exemple.fr"),
        ("xn--r8jz45g.xn--zckzah", "例え.テスト"),
        ("xn--caf-dmb.fr", "xn--caf-dmb.fr"),  # undecodable: returned as is
        ("", ""),
        ("a..b", "a..b"),
    ],
)
def test_display_domain_name(a_label: str, expected: str) -> None:
    assert display_domain_name(a_label) == expected


# --- properties -------------------------------------------------------------------------

_LABEL = r"[a-zA-Z0-9éèàüßçÉ_\-]{0,12}"
_plausible_domains = st.from_regex(rf"\A{_LABEL}(\.{_LABEL}){{0,4}}\.?\Z")
_ascii_domains = st.from_regex(r"\A(xn--)?[a-z0-9\-]{1,20}(\.[a-z0-9\-]{1,10}){1,3}\Z")


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), _plausible_domains, _ascii_domains))
def test_fuzz_normalize_domain_name(value: str) -> None:
    try:
        result = normalize_domain_name(value)
    except InvalidValue as exc:
        assert exc.message
        return
    assert isinstance(result, str)
    assert result.isascii()
    assert result == result.lower()
    assert len(result) <= 253
    assert "." in result
    assert all(1 <= len(label) <= 63 for label in result.split("."))
    assert normalize_domain_name(result) == result
    assert normalize_domain_name(display_domain_name(result)) == result


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), _ascii_domains))
def test_fuzz_display_domain_name(value: str) -> None:
    assert isinstance(display_domain_name(value), str)
