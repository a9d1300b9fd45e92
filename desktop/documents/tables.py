"""Reusable tables and boxes: key/value lines, data tables over pages, totals, columns.

Every table goes through :func:`grid`, which sets the documents' font: a
ReportLab table otherwise draws its (even empty) text cells in Helvetica,
a standard font that would not be embedded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table, TableStyle

from desktop.documents.fonts import SANS
from desktop.documents.layout import CONTENT_WIDTH
from desktop.documents.styles import ACCENT, MUTED, RULE, SHADE, STRIPE, para, rich, styles, xml

Cell: TypeAlias = "str | Flowable"
"""A data table's cell: plain text (wrapped in a paragraph) or any flowable."""
Command: TypeAlias = tuple[Any, ...]
"""A ReportLab table style command, e.g. ``("BOX", (0, 0), (-1, -1), 0.6, RULE)``."""


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
    table = Table(
        [list(row) for row in data],
        colWidths=list(widths),
        rowHeights=None if row_heights is None else list(row_heights),
        repeatRows=repeat_rows,
        hAlign=align,
    )
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), SANS, 8.3), *commands]))
    return table


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
