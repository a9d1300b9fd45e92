"""The provider's contract templates: a tiny Markdown-like markup, filled per contract.

One file per product line in ``resources/contracts/`` (``hosted_exchange.md``,
``office_365.md``), UTF-8, which the provider may edit:

- ``# Title``: the document's title (the first one only);
- ``## Heading``: an article, numbered automatically "Article 1", "Article 2"…;
- paragraphs are separated by a blank line; the lines of one paragraph are
  joined, so the text may be wrapped freely;
- ``- item``: a bullet; indented lines that follow continue it;
- ``**words**``: bold;
- ``{provider.name}``, ``{client.name}``, ``{contract.initial_months}``…: a
  value of the contract (:mod:`desktop.documents.contract_fields` lists them);
  an unknown name is an error that names it, with the file and the line;
- ``[consumer]`` … ``[/consumer]``, each on a line of its own: kept only when
  the client is a consumer (the withdrawal-right waiver);
- ``<!-- … -->``: a comment, read as blank lines (it may span several).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from desktop.domain.enums import ProductLineCode
from desktop.errors import UserError
from desktop.paths import resources_dir

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_CONDITION = re.compile(r"\[(/?)([^\[\]/]*)\]")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_BULLET = "- "


@dataclass(frozen=True)
class Block:
    """A paragraph (one item) or a bulleted list (one item per bullet)."""

    items: tuple[str, ...]
    bullets: bool = False


@dataclass(frozen=True)
class Article:
    number: int
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class ContractText:
    title: str
    preamble: tuple[Block, ...]
    """What comes before the first article."""
    articles: tuple[Article, ...]


def template_path(line: ProductLineCode) -> Path:
    """``resources/contracts/hosted_exchange.md`` or ``office_365.md``."""
    return resources_dir() / "contracts" / f"{line.value.lower()}.md"


def load_template(line: ProductLineCode) -> tuple[str, str]:
    """The template of a product line: its text and its file name (for messages)."""
    path = template_path(line)
    try:
        return path.read_text(encoding="utf-8"), path.name
    except FileNotFoundError:
        raise UserError(f"Modèle de contrat introuvable : {path}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"Modèle de contrat illisible ({path}) : {exc}.") from None


def fill_template(
    text: str, values: Mapping[str, str], conditions: Mapping[str, bool], *, source: str
) -> ContractText:
    """The template filled with ``values``, with only the true ``conditions`` kept.

    Every placeholder and condition of the whole template is checked, kept or
    not, so a mistake shows whatever the client. Raises UserError (French).
    """
    lines = _numbered_lines(text, source)
    for number, line in lines:
        _check_placeholders(line, values, source, number)
    kept = _apply_conditions(lines, conditions, source)
    filled = [_PLACEHOLDER.sub(lambda m: values[m.group(1).strip()], line) for line in kept]
    return _parse(filled)


def _fail(source: str, number: int, message: str) -> UserError:
    return UserError(f"Modèle de contrat « {source} », ligne {number} : {message}")


def _numbered_lines(text: str, source: str) -> list[tuple[int, str]]:
    """The lines with their numbers (from 1); a comment counts as blank lines."""
    text = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text.replace("\r\n", "\n"))
    if "<!--" in text:
        number = text[: text.index("<!--")].count("\n") + 1
        raise _fail(source, number, "commentaire « <!-- » jamais refermé par « --> ».")
    return list(enumerate(text.split("\n"), start=1))


def _check_placeholders(line: str, values: Mapping[str, str], source: str, number: int) -> None:
    for match in _PLACEHOLDER.finditer(line):
        name = match.group(1).strip()
        if name not in values:
            raise _fail(source, number, f"champ inconnu « {{{name}}} ».")
    stray = _PLACEHOLDER.sub("", line)
    if "{" in stray or "}" in stray:
        raise _fail(source, number, "accolade isolée (un champ s'écrit {nom.du_champ}).")


def _apply_conditions(
    lines: list[tuple[int, str]], conditions: Mapping[str, bool], source: str
) -> list[str]:
    kept: list[str] = []
    current: tuple[str, int] | None = None  # the open condition and its line
    for number, line in lines:
        marker = _CONDITION.fullmatch(line.strip())
        if marker is None:
            if current is None or conditions[current[0]]:
                kept.append(line)
            continue
        closing, name = marker.group(1) == "/", marker.group(2).strip()
        if name not in conditions:
            raise _fail(source, number, f"condition inconnue « [{name}] ».")
        if closing:
            if current is None or current[0] != name:
                raise _fail(source, number, f"« [/{name}] » sans « [{name}] » avant.")
            current = None
        elif current is not None:
            raise _fail(source, number, f"« [{name}] » dans « [{current[0]}] » : non permis.")
        else:
            current = (name, number)
    if current is not None:
        name, number = current
        raise _fail(source, number, f"« [{name}] » jamais refermé par « [/{name}] ».")
    return kept


class _Builder:
    """Collects titles, articles and blocks as the filled lines are read."""

    def __init__(self) -> None:
        self.title = ""
        self.preamble: list[Block] = []
        self.articles: list[tuple[str, list[Block]]] = []
        self.items: list[str] = []
        self.bullets = False

    def flush(self) -> None:
        if self.items:
            target = self.articles[-1][1] if self.articles else self.preamble
            target.append(Block(tuple(self.items), self.bullets))
        self.items, self.bullets = [], False

    def add_text(self, text: str, *, bullet: bool, continuation: bool) -> None:
        if bullet:
            if not self.bullets:
                self.flush()
            self.bullets = True
            self.items.append(text)
        elif self.items and (continuation or not self.bullets):
            self.items[-1] = f"{self.items[-1]} {text}"
        else:
            self.flush()
            self.items.append(text)

    def result(self) -> ContractText:
        self.flush()
        articles = tuple(
            Article(number, title, tuple(blocks))
            for number, (title, blocks) in enumerate(self.articles, start=1)
        )
        return ContractText(self.title, tuple(self.preamble), articles)


def _parse(lines: list[str]) -> ContractText:
    builder = _Builder()
    for line in lines:
        text = line.strip()
        if not text:
            builder.flush()
        elif text.startswith("## "):
            builder.flush()
            builder.articles.append((text[3:].strip(), []))
        elif text.startswith("# "):
            builder.flush()
            builder.title = builder.title or text[2:].strip()
        else:
            bullet = text.startswith(_BULLET)
            body = text[len(_BULLET) :].strip() if bullet else text
            builder.add_text(body, bullet=bullet, continuation=line[:1].isspace())
    return builder.result()
