"""Reading the plain-text tables that ``words`` and ``catalogue`` are written in.

Items are separated by commas (or one per line), fields by ``|``; the spaces
around them do not count.
"""

from __future__ import annotations

import re


def items(text: str, sep: str = ",") -> tuple[str, ...]:
    """The non-blank items of ``text`` separated by ``sep``, stripped."""
    return tuple(item.strip() for item in text.split(sep) if item.strip())


def lines(text: str) -> tuple[str, ...]:
    """The non-blank lines of ``text``, stripped."""
    return items(text, "\n")


def paragraphs(text: str) -> tuple[tuple[str, ...], ...]:
    """The lines of each paragraph (paragraphs are separated by blank lines)."""
    return tuple(lines(block) for block in re.split(r"\n[ \t]*\n", text) if block.strip())


def fields(line: str) -> tuple[str, ...]:
    """The ``|``-separated fields of one line, stripped."""
    return tuple(field.strip() for field in line.split("|"))


def triples(text: str) -> tuple[tuple[str, str, str], ...]:
    """One row of three fields per line."""
    return tuple((first, second, third) for first, second, third in map(fields, lines(text)))


def pairs(text: str) -> tuple[tuple[str, str], ...]:
    """Comma-separated ``key = value`` items."""
    split = (item.partition("=") for item in items(text))
    return tuple((key.strip(), value.strip()) for key, _, value in split)


def weighted(text: str) -> tuple[tuple[str, int], ...]:
    """Comma-separated ``name weight`` items (the weight is the last word)."""
    split = (item.rsplit(" ", 1) for item in items(text))
    return tuple((name, int(weight)) for name, weight in split)
