"""Staff edit the DNS values of each product line; the instruction sheets print them."""

from __future__ import annotations

from typing import Any

import pytest

from desktop.db.engine import Database
from desktop.domain.dns_records import DEFAULTS
from desktop.domain.enums import ProductLineCode
from desktop.domain.errors import ValidationError
from desktop.errors import ConflictError, NotFoundError
from desktop.services.dns_settings import (
    PRIORITY_EXPECTED,
    DnsSettings,
    DnsValues,
    check_dns_values,
    dns_settings,
    save_dns_settings,
)
from desktop.services.dns_sheet import dns_instructions
from tests.documents.pdf_helpers import store_provider
from tests.services.factories import mailbox, world

HE, O365 = ProductLineCode.HOSTED_EXCHANGE, ProductLineCode.OFFICE_365

CUSTOM = {
    "mx": " mx2.{domain_dashed}.relais.fr ",
    "mx_priority": "20",
    "autodiscover": "autoconfig.relais.fr",
    "spf": "v=spf1 include:spf.relais.fr ~all",
}
EMPTY = dict.fromkeys(CUSTOM, "")


def line_settings(db: Database, code: ProductLineCode) -> DnsSettings:
    return next(line for line in dns_settings(db) if line.code is code)


def save(db: Database, line: DnsSettings, actor: str = "amartin", **values: Any) -> DnsSettings:
    return save_dns_settings(
        db, line.id, **{**EMPTY, **values}, expected_version=line.version, actor=actor
    )


def test_every_line_starts_on_its_defaults(db: Database) -> None:
    world(db)
    lines = dns_settings(db)
    assert [(line.code, line.name) for line in lines] == [
        (HE, "Hosted Exchange"),
        (O365, "Office 365"),
    ]
    for line in lines:
        assert line.values == DnsValues()
        assert line.defaults == DEFAULTS[line.code]
    assert lines[1].records()[0].value == "exemple-fr.mail.protection.outlook.com"


def test_saving_then_clearing_back_to_the_defaults(db: Database) -> None:
    world(db)
    before = line_settings(db, HE)
    saved = save(db, before, **CUSTOM)
    assert saved.values == DnsValues(
        mx="mx2.{domain_dashed}.relais.fr",
        mx_priority=20,
        autodiscover="autoconfig.relais.fr",
        spf="v=spf1 include:spf.relais.fr ~all",
    )
    assert saved.version == before.version + 1
    assert saved.updated_by == "amartin"
    assert line_settings(db, HE) == saved
    assert line_settings(db, O365).values == DnsValues()  # the other line is untouched
    assert [record.value for record in saved.records()] == [
        "mx2.exemple-fr.relais.fr",
        "autoconfig.relais.fr",
        "v=spf1 include:spf.relais.fr ~all",
    ]

    cleared = save(db, saved, mx="  ", mx_priority=None, spf="v=spf1 include:spf.relais.fr ~all")
    assert cleared.values == DnsValues(spf="v=spf1 include:spf.relais.fr ~all")
    assert cleared.records()[0].value == DEFAULTS[HE].mx
    assert cleared.records()[0].priority == DEFAULTS[HE].mx_priority
    assert line_settings(db, HE).values == cleared.values


def test_saving_the_same_values_writes_nothing(db: Database) -> None:
    world(db)
    saved = save(db, line_settings(db, HE), **CUSTOM)
    again = save(db, saved, actor="autre", **CUSTOM)
    assert (again.version, again.updated_by) == (saved.version, "amartin")


def test_invalid_values_are_refused_with_every_message_and_nothing_written(
    db: Database,
) -> None:
    world(db)
    saved = save(db, line_settings(db, HE), **CUSTOM)
    with pytest.raises(ValidationError) as info:
        save(
            db,
            saved,
            mx="mx 1.relais.fr",
            mx_priority="70000",
            autodiscover="autodiscover.{client}.fr",
            spf="include:spf.relais.fr",
        )
    assert info.value.errors == {
        "mx": "La valeur DNS « mx 1.relais.fr » ne doit pas contenir d'espace.",
        "mx_priority": "La priorité MX va de 0 à 65535 (reçu : 70000).",
        "autodiscover": (
            "Champ inconnu « {client} » dans la valeur DNS « autodiscover.{client}.fr » : "
            "seuls {domain} et {domain_dashed} sont permis."
        ),
        "spf": "Un enregistrement SPF commence par « v=spf1 » (reçu : « include:spf.relais.fr »).",
    }
    assert line_settings(db, HE) == saved


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"mx_priority": "dix"}, "mx_priority", PRIORITY_EXPECTED),
        ({"mx_priority": "1.5"}, "mx_priority", PRIORITY_EXPECTED),
        ({"mx_priority": "-1"}, "mx_priority", "La priorité MX va de 0 à 65535 (reçu : -1)."),
        (
            {"mx": "mx.{domain"},
            "mx",
            "Accolade mal fermée dans la valeur DNS « mx.{domain » "
            "(champs permis : {domain} et {domain_dashed}).",
        ),
        ({"mx": "x" * 254}, "mx", "253 caractères au maximum (254 caractères saisis)."),
        (
            {"spf": "v=spf1 " + "a" * 494},
            "spf",
            "500 caractères au maximum (501 caractères saisis).",
        ),
    ],
)
def test_one_bad_value(values: dict[str, str], field: str, message: str) -> None:
    _values, errors = check_dns_values(**{**EMPTY, **values})
    assert errors == {field: message}


def test_priorities_as_numbers_or_text() -> None:
    def priority(value: int | str | None) -> int | None:
        values, _errors = check_dns_values(mx=None, mx_priority=value, autodiscover=None, spf=None)
        return values.mx_priority

    assert (priority(" 0 "), priority("+7"), priority(5), priority(None)) == (0, 7, 5, None)


def test_a_stale_version_is_refused(db: Database) -> None:
    world(db)
    read = line_settings(db, HE)
    theirs = save(db, read, actor="jdupont", mx="mx9.relais.fr")
    with pytest.raises(ConflictError) as info:
        save(db, read, **CUSTOM)
    assert info.value.message.startswith("Cette gamme a été modifiée par jdupont le ")
    assert info.value.message.endswith(
        "depuis votre lecture (serveur MX) ; rechargez-la avant d'enregistrer. "
        "Rien n'a été enregistré."
    )
    assert info.value.current_version == theirs.version
    assert line_settings(db, HE) == theirs


def test_an_unknown_line(db: Database) -> None:
    with pytest.raises(NotFoundError):
        save_dns_settings(db, 424242, **EMPTY, expected_version=1, actor="amartin")


def test_the_instruction_sheet_uses_the_saved_values(db: Database) -> None:
    store_provider(db)
    w = world(db)
    mailbox(db, w, "jean")  # on the Hosted Exchange contract
    save(db, line_settings(db, HE), **CUSTOM)
    records = dns_instructions(db, w.domain_id).lines[0].records
    assert [(r.kind, r.host, r.value, r.priority) for r in records] == [
        ("MX", "acme.fr", "mx2.acme-fr.relais.fr", 20),
        ("CNAME", "autodiscover.acme.fr", "autoconfig.relais.fr", None),
        ("TXT", "acme.fr", "v=spf1 include:spf.relais.fr ~all", None),
    ]
    save(db, line_settings(db, HE))  # every value back to the default
    records = dns_instructions(db, w.domain_id).lines[0].records
    assert records[0].value == DEFAULTS[HE].mx
    assert records[2].value == DEFAULTS[HE].spf
