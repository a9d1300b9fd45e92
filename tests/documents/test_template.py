"""The contract template markup: titles, numbered articles, lists, fields, conditions."""

from __future__ import annotations

import pytest

from desktop.documents.template import Block, fill_template, load_template, template_path
from desktop.domain.enums import ProductLineCode
from desktop.errors import UserError

VALUES = {"client.name": "Acme & Fils", "contract.initial_months": "12"}

TEMPLATE = """<!-- A comment
spanning lines: {not.a.field} [consumer] -->
# Contrat de {client.name}

Entre les parties,
sur deux lignes.

## Objet
Le client {client.name} s'engage pour {contract.initial_months} mois :
- première puce
  qui continue ;
- seconde puce.
Un paragraphe après la liste.

[consumer]
## Rétractation
Le client renonce.
[/consumer]

## Fin
Dernier mot.
"""


def test_articles_are_numbered_and_paragraphs_joined() -> None:
    text = fill_template(TEMPLATE, VALUES, {"consumer": False}, source="essai.md")
    assert text.title == "Contrat de Acme & Fils"
    assert text.preamble == (Block(("Entre les parties, sur deux lignes.",)),)
    assert [(a.number, a.title) for a in text.articles] == [(1, "Objet"), (2, "Fin")]
    assert text.articles[0].blocks == (
        Block(("Le client Acme & Fils s'engage pour 12 mois :",)),
        Block(("première puce qui continue ;", "seconde puce."), bullets=True),
        Block(("Un paragraphe après la liste.",)),
    )


def test_consumer_block_is_kept_only_for_a_consumer() -> None:
    text = fill_template(TEMPLATE, VALUES, {"consumer": True}, source="essai.md")
    assert [(a.number, a.title) for a in text.articles] == [
        (1, "Objet"),
        (2, "Rétractation"),
        (3, "Fin"),
    ]


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("# T\n\nLe {client.nom} signe.", "ligne 3 : champ inconnu « {client.nom} »."),
        ("Un { seul.", "ligne 1 : accolade isolée (un champ s'écrit {nom.du_champ})."),
        ("x\n[consumer]\ny", "ligne 2 : « [consumer] » jamais refermé par « [/consumer] »."),
        ("[/consumer]", "ligne 1 : « [/consumer] » sans « [consumer] » avant."),
        ("[pro]\nx\n[/pro]", "ligne 1 : condition inconnue « [pro] »."),
        ("[consumer]\n[consumer]", "ligne 2 : « [consumer] » dans « [consumer] » : non permis."),
        ("a\n<!-- sans fin", "ligne 2 : commentaire « <!-- » jamais refermé par « --> »."),
    ],
)
def test_mistakes_are_reported_with_the_file_and_the_line(template: str, message: str) -> None:
    with pytest.raises(UserError) as caught:
        fill_template(template, VALUES, {"consumer": True}, source="essai.md")
    assert caught.value.message == f"Modèle de contrat « essai.md », {message}"


def test_an_unknown_field_in_a_dropped_block_is_still_an_error() -> None:
    template = "[consumer]\nRenonciation le {contract.waiver}.\n[/consumer]\n"
    with pytest.raises(UserError, match=r"champ inconnu « \{contract\.waiver\} »"):
        fill_template(template, VALUES, {"consumer": False}, source="essai.md")


@pytest.mark.parametrize("line", list(ProductLineCode))
def test_each_product_line_has_its_template(line: ProductLineCode) -> None:
    text, name = load_template(line)
    assert name == template_path(line).name == f"{line.value.lower()}.md"
    assert text.lstrip().startswith("<!--")
    assert "[consumer]" in text and "{provider.dunning_reminder_days}" in text
