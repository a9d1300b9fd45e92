"""DNS records per product line: defaults, overrides, the domain put in, bad templates."""

from __future__ import annotations

import pytest

from desktop.domain.dns_records import DnsRecord, check_template, records_for
from desktop.domain.enums import ProductLineCode
from desktop.domain.errors import InvalidValue

HE, O365 = ProductLineCode.HOSTED_EXCHANGE, ProductLineCode.OFFICE_365


def _values(records: tuple[DnsRecord, ...]) -> list[tuple[str, str, str, int | None]]:
    return [(r.kind, r.host, r.value, r.priority) for r in records]


def test_office_365_defaults_put_the_dashed_domain_in_the_mx() -> None:
    assert _values(records_for(O365, "example.fr")) == [
        ("MX", "example.fr", "example-fr.mail.protection.outlook.com", 0),
        ("CNAME", "autodiscover.example.fr", "autodiscover.outlook.com", None),
        ("TXT", "example.fr", "v=spf1 include:spf.protection.outlook.com -all", None),
    ]


def test_hosted_exchange_defaults() -> None:
    assert _values(records_for(HE, "Acme.FR.")) == [
        ("MX", "acme.fr", "mx1.messagerie-hebergee.fr", 10),
        ("CNAME", "autodiscover.acme.fr", "autodiscover.messagerie-hebergee.fr", None),
        ("TXT", "acme.fr", "v=spf1 include:spf.messagerie-hebergee.fr -all", None),
    ]


def test_every_record_says_what_it_is_for() -> None:
    assert all(r.purpose for r in records_for(HE, "acme.fr"))


def test_overrides_replace_the_defaults_and_take_the_domain() -> None:
    records = records_for(
        HE,
        "sub.acme.fr",
        mx="mx.{domain_dashed}.relais.fr",
        mx_priority=5,
        autodiscover="ad.{domain}",
        spf="v=spf1 mx include:{domain} ~all",
    )
    assert _values(records) == [
        ("MX", "sub.acme.fr", "mx.sub-acme-fr.relais.fr", 5),
        ("CNAME", "autodiscover.sub.acme.fr", "ad.sub.acme.fr", None),
        ("TXT", "sub.acme.fr", "v=spf1 mx include:sub.acme.fr ~all", None),
    ]


def test_idna_domains_use_their_a_label() -> None:
    mx = records_for(O365, "xn--caf-dma.fr")[0]
    assert mx.value == "xn--caf-dma-fr.mail.protection.outlook.com"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"mx": "{domaine}.relais.fr"},
            "Champ inconnu « {domaine} » dans la valeur DNS « {domaine}.relais.fr » : "
            "seuls {domain} et {domain_dashed} sont permis.",
        ),
        ({"autodiscover": "ad.{domain"}, "Accolade mal fermée dans la valeur DNS « ad.{domain »"),
        ({"autodiscover": "ad.{domain!r}"}, "Champ mal écrit dans la valeur DNS « ad.{domain!r} »"),
        ({"mx": "mx .relais.fr"}, "La valeur DNS « mx .relais.fr » ne doit pas contenir d'espace."),
        ({"mx": "  "}, "La valeur DNS est vide."),
        ({"spf": "include:x.fr -all"}, "Un enregistrement SPF commence par « v=spf1 »"),
        ({"mx_priority": 70000}, "La priorité MX va de 0 à 65535 (reçu : 70000)."),
    ],
)
def test_bad_templates_are_refused_in_french(changes: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        records_for(HE, "acme.fr", **changes)  # type: ignore[arg-type]
    assert caught.value.message.startswith(message)


def test_check_template_returns_the_stripped_template() -> None:
    assert check_template("  mx.{domain}  ") == "mx.{domain}"
