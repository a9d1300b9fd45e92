"""Reusable tables and boxes: key/value lines, data tables over pages, totals, columns.

Every table goes through :func:`grid`, which sets the documents' font: a
ReportLab table otherwise draws its (even empty) text cells in Helvetica,
a standard font that would not be embedded.

ReportLab gives each cell its own style and applies every style command to
every cell of its range, one attribute at a time: most of the cost of a
small table. :func:`grid` instead works out which commands reach each cell
and gives the cells reached by the same commands one shared style, made
once per process (:func:`_cell_style`); the table then only gets the
backgrounds and lines. The styles are shared, so a grid's cell styles are
never changed afterwards (nothing calls ``setStyle`` on a grid).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeAlias

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table, TableStyle
from reportlab.platypus.tables import CellStyle, _setCellStyle

from desktop.documents.fonts import SANS
from desktop.documents.layout import CONTENT_WIDTH
from desktop.documents.styles import ACCENT, MUTED, RULE, SHADE, STRIPE, para, rich, styles, xml

Cell: TypeAlias = "str | Flowable"
"""A data table's cell: plain text (wrapped in a paragraph) or any flowable."""
Command: TypeAlias = tuple[Any, ...]
"""A ReportLab table style command, e.g. ``("BOX", (0, 0), (-1, -1), 0.6, RULE)``."""

BASE_FONT: Command = ("FONT", (0, 0), (-1, -1), SANS, 8.3)
CELL_OPERATIONS = frozenset(
    "FONT FONTNAME FACE SIZE FONTSIZE LEADING TEXTCOLOR ALIGN ALIGNMENT VALIGN LEFTPADDING "
    "RIGHTPADDING TOPPADDING BOTTOMPADDING HREF DESTINATION DIRECTION SHAPING".split()
)
"""The commands that set cells' styles (ReportLab's ``_setCellStyle``); the others
(backgrounds, lines, spans) stay the table's."""


def grid(
    data: Sequence[Sequence[Any]],
    widths: Sequence[float],
    commands: Sequence[Command] = (),
    *,
    align: str = "LEFT",
    repeat_rows: int = 0,
    row_heights: Sequence[float] | None = None,
) -> Table:
    """A table in the documents' font, with ``commands`` for its style."""
    rows = [list(row) for row in data]
    every = (BASE_FONT, *commands)
    cells = tuple(c for c in every if c[0] in CELL_OPERATIONS)
    table = Table(
        rows,
        colWidths=list(widths),
        rowHeights=None if row_heights is None else list(row_heights),
        repeatRows=repeat_rows,
        hAlign=align,
        cellStyles=_cell_styles(cells, len(rows), len(widths)) if rows else None,
    )
    table.setStyle(TableStyle([c for c in every if c[0] not in CELL_OPERATIONS]))
    return table


def _cell_styles(commands: tuple[Command, ...], rows: int, columns: int) -> list[list[Any]]:
    """Each cell's style: the one shared by the cells the same commands reach."""
    reached: list[list[tuple[int, ...]]] = [[()] * columns for _ in range(rows)]
    for index, (_, (c0, r0), (c1, r1), *_values) in enumerate(commands):
        first_column, last_column = _bounds(c0, c1, columns)
        for row in reached[slice(*_bounds(r0, r1, rows))]:
            for column in range(first_column, last_column):
                row[column] += (index,)
    made: dict[tuple[int, ...], Any] = {}
    for row in reached:
        for key in row:
            if key not in made:
                made[key] = _cell_style(tuple(commands[i] for i in key))
    return [[made[key] for key in row] for row in reached]


def _bounds(start: int, end: int, count: int) -> tuple[int, int]:
    """A command's range (negative counting from the end, inclusive) as a slice's."""
    if isinstance(start, str) or isinstance(end, str):
        raise ValueError("grid() does not take the splitfirst / splitlast rows")
    start, end = start + count if start < 0 else start, end + count if end < 0 else end
    return max(0, start), min(count - 1, end) + 1


@lru_cache(maxsize=1024)
def _cell_style(commands: tuple[Command, ...]) -> Any:
    """The style ReportLab gives a cell these commands reach, in this order."""
    style = CellStyle("grid")
    for operation, _start, _end, *values in commands:
        _setCellStyle([[style]], 0, 0, operation, values)
    return style


NO_PADDING: tuple[Command, ...] = (
    ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
)


def two_columns(
    left: Sequence[Flowable],
    right: Sequence[Flowable],
    *,
    gutter: float = 8 * mm,
    commands: Sequence[Command] = NO_PADDING,
) -> Table:
    """Two equal columns of flowables side by side, over the page's width."""
    column = (CONTENT_WIDTH - gutter) / 2
    return grid(
        [[list(left), "", list(right)]],
        [column, gutter, column],
        [("VALIGN", (0, 0), (-1, -1), "TOP"), *commands],
    )


def key_value_table(
    rows: Sequence[tuple[str, str]], *, width: float = CONTENT_WIDTH, key_width: float = 58 * mm
) -> Table:
    """Label / value lines (plain text), labels in grey."""
    s = styles()
    data = [[para(key, s.label), para(value, s.small)] for key, value in rows]
    return grid(
        data,
        [key_width, width - key_width],
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ],
    )


@dataclass(frozen=True)
class TableColumn:
    title: str
    width: float
    """A share of the width available (the columns are scaled to fill it)."""
    right: bool = False
    """Right-aligned (amounts, numbers)."""


def data_table(
    columns: Sequence[TableColumn],
    rows: Sequence[Sequence[Cell]],
    *,
    total: Sequence[Cell] | None = None,
    width: float = CONTENT_WIDTH,
) -> Table:
    """A table that flows over pages, its header row repeated on each; a bold
    total row at the end when given."""
    s = styles()
    scale = width / sum(c.width for c in columns)
    head = [para(c.title, s.cell_head_right if c.right else s.cell_head) for c in columns]
    body = [_cells(columns, row) for row in rows]
    if total is not None:
        body.append(_cells(columns, total, bold=True))
    widths = [c.width * scale for c in columns]
    return grid([head, *body], widths, _data_style(len(body), total is not None), repeat_rows=1)


def _cells(columns: Sequence[TableColumn], row: Sequence[Cell], *, bold: bool = False) -> list[Any]:
    s = styles()
    cells: list[Any] = []
    for column, value in zip(columns, row, strict=True):
        if isinstance(value, str):
            markup = f"<b>{xml(value)}</b>" if bold else xml(value)
            value = rich(markup, s.cell_right if column.right else s.cell)
        cells.append(value)
    return cells


def _data_style(body_rows: int, has_total: bool) -> list[Command]:
    commands: list[Command] = [
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.6),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    last_striped = body_rows - (1 if has_total else 0)
    commands += [("BACKGROUND", (0, r), (-1, r), STRIPE) for r in range(2, last_striped + 1, 2)]
    if has_total:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, ACCENT))
    return commands


def summary_table(
    rows: Sequence[tuple[str, str]], *, emphasis: int | None = None, width: float = 90 * mm
) -> Table:
    """Label / amount lines on the right of the page; row ``emphasis`` (the total)
    in bold between two rules."""
    s = styles()
    data = []
    for index, (label, value) in enumerate(rows):
        wrap = "<b>{}</b>" if index == emphasis else "{}"
        data.append(
            [rich(wrap.format(xml(label)), s.cell), rich(wrap.format(xml(value)), s.cell_right)]
        )
    commands: list[Command] = [
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if emphasis is not None:
        commands += [
            ("LINEABOVE", (0, emphasis), (-1, emphasis), 0.8, ACCENT),
            ("LINEBELOW", (0, emphasis), (-1, emphasis), 0.8, ACCENT),
        ]
    return grid(data, [width * 0.64, width * 0.36], commands, align="RIGHT")


class LabelledBox(Flowable):  # type: ignore[misc]
    """An empty framed box with a small label in its top-left corner (signature, stamp)."""

    def __init__(self, label: str, width: float, height: float) -> None:
        super().__init__()
        self.label = label
        self.width = width
        self.height = height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.8)
        canvas.rect(0, 0, self.width, self.height)
        canvas.setFillColor(MUTED)
        canvas.setFont(SANS, 7)
        canvas.drawString(2 * mm, self.height - 3.6 * mm, self.label)
