"""The invoice's blocks drawn straight on the canvas: lines, VAT per rate, totals
(:class:`DataTable`, :class:`Totals`), the other grids of text (:class:`TextGrid`:
parties, dates, payment terms, mentions) and one-line paragraphs (:class:`TextLine`).

They look exactly as the ReportLab tables they replace (``grid`` tables,
same positions, fonts, colours, paddings and rules, pixel for pixel): a
data table has a shaded bold header, cells of plain text at the top of their
rows, a rule below each row, every other row striped, the numbers
right-aligned. A ReportLab table of strings spends most of its time on what
these tables never need: a style per cell, each string measured, encoded
and wrapped in a text object of its own. Here a row's height is a sum, a
table's text is one text object, and a string's PDF operators are made once
per document (an invoice repeats its periods, rates and prices), its codes
once per process when every document codes it alike (:class:`TextOperators`).

:class:`DataTable` splits like a ReportLab table with ``repeat_rows=1``:
between rows, at least one body row before the split, the header repeated
on top of the rest and the stripes starting afresh on each page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

from reportlab.lib.colors import Color
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from desktop.documents.fonts import FRENCH, SANS, SANS_BOLD
from desktop.documents.styles import ACCENT, RULE, SHADE, STRIPE, TEXT

CELL_SIZE = 8.3
CELL_LEADING = 10.4
PAD = 3
"""Left and right padding of a cell."""
TOP_PAD = 2.6
BOTTOM_PAD = 3.2
HEADER_RULE = 0.8
ROW_RULE = 0.25

Row = tuple[tuple[str, ...], ...]
"""A row's cells, each as its lines."""


def as_row(cells: Sequence[str]) -> Row:
    """A row of texts (lines joined by "\\n") as :class:`DataTable` takes it."""
    return tuple(tuple(cell.split("\n")) for cell in cells)


def row_height(row: Row) -> float:
    return max(len(cell) for cell in row) * CELL_LEADING + TOP_PAD + BOTTOM_PAD


class DataTable(Flowable):  # type: ignore[misc]
    """A header row and body rows of plain text, in columns of ``widths``; the
    columns from ``first_number_column`` on are right-aligned."""

    def __init__(
        self,
        header: Row,
        body: Sequence[Row],
        widths: Sequence[float],
        first_number_column: int,
        texts: TextOperators | None = None,
        *,
        continued: bool = False,
    ) -> None:
        super().__init__()
        self.header = header
        self.body = tuple(body)
        self.widths = tuple(widths)
        self.first_number_column = first_number_column
        self.texts = texts or TextOperators()
        self.continued = continued
        """The rest of a split table: the first body row's rule above, as
        ReportLab moves it, drawn over the header's."""
        self.heights = (row_height(header), *(row_height(row) for row in self.body))
        self.width = sum(self.widths)
        self.height = sum(self.heights)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[DataTable]:
        """The rows that fit (header and at least one body row) and the rest under
        the header again; nothing when not even one body row fits."""
        used = 0.0
        fitting = 0
        for height in self.heights:
            if used + height > available_height:
                break
            used += height
            fitting += 1
        if fitting <= 1:
            return []
        if fitting == len(self.heights):
            return [self]
        first, rest = self.body[: fitting - 1], self.body[fitting - 1 :]
        return [self._with_body(first, self.continued), self._with_body(rest, True)]

    def _with_body(self, body: Sequence[Row], continued: bool) -> DataTable:
        return DataTable(
            self.header,
            body,
            self.widths,
            self.first_number_column,
            self.texts,
            continued=continued,
        )

    def draw(self) -> None:
        canvas: Canvas = self.canv
        tops = self._row_tops()
        canvas.saveState()
        self._draw_backgrounds(canvas, tops)
        self._draw_texts(canvas, tops)
        self._draw_rules(canvas, tops)
        canvas.restoreState()

    def _row_tops(self) -> list[float]:
        tops = [self.height]
        for height in self.heights[:-1]:
            tops.append(tops[-1] - height)
        return tops

    def _draw_backgrounds(self, canvas: Canvas, tops: Sequence[float]) -> None:
        canvas.setFillColor(SHADE)
        canvas.rect(0, tops[0], self.width, -self.heights[0], stroke=0, fill=1)
        canvas.setFillColor(STRIPE)
        for index in range(2, len(self.heights), 2):
            canvas.rect(0, tops[index], self.width, -self.heights[index], stroke=0, fill=1)

    def _draw_texts(self, canvas: Canvas, tops: Sequence[float]) -> None:
        pen = self.texts.pen(canvas)
        canvas.addLiteral("BT")
        canvas.setFillColor(ACCENT)
        self._draw_row(pen, self.header, tops[0], SANS_BOLD)
        canvas.addLiteral(pen.flush())
        canvas.setFillColor(TEXT)
        for row, top in zip(self.body, tops[1:], strict=True):
            self._draw_row(pen, row, top, SANS)
        canvas.addLiteral(pen.flush())
        canvas.addLiteral("ET")

    def _draw_row(self, pen: Pen, row: Row, top: float, font: str) -> None:
        left = 0.0
        for column, (lines, width) in enumerate(zip(row, self.widths, strict=True)):
            baseline = top - TOP_PAD - CELL_SIZE
            right = column >= self.first_number_column
            for line in lines:
                x = left + width - PAD - text_width(line, font) if right else left + PAD
                pen.show(x, baseline, line, font, CELL_SIZE)
                baseline -= CELL_LEADING
            left += width

    def _draw_rules(self, canvas: Canvas, tops: Sequence[float]) -> None:
        """The rules as ReportLab draws a table's: round caps and joins, the
        header's first (on a continued table, a row's rule drawn over it), then
        one below each body row."""
        canvas.saveState()
        canvas.setLineCap(1)
        canvas.setLineJoin(1)
        header_bottom = tops[1:2] or [0.0]
        self._rule(canvas, ACCENT, HEADER_RULE, header_bottom)
        if self.continued:
            self._rule(canvas, RULE, ROW_RULE, header_bottom)
        self._rule(canvas, RULE, ROW_RULE, [*tops[2:], 0.0] if self.body else [])
        canvas.restoreState()

    def _rule(self, canvas: Canvas, colour: Color, weight: float, heights: Sequence[float]) -> None:
        canvas.setStrokeColor(colour)
        canvas.setLineWidth(weight)
        for y in heights:
            canvas.line(0, y, self.width, y)


class Totals(Flowable):  # type: ignore[misc]
    """Label / amount rows, the last one (the total) bold between two rules:
    the look of a ReportLab table with its default side padding."""

    SIDE_PAD = 6
    TOTAL_SIZE = 9.5
    TOTAL_LEADING = 12

    def __init__(self, rows: Sequence[tuple[str, str]], width: float, texts: TextOperators) -> None:
        super().__init__()
        self.rows = tuple(rows)
        self.width = width
        self.texts = texts
        self.heights = [CELL_LEADING + TOP_PAD + BOTTOM_PAD] * (len(self.rows) - 1)
        self.heights.append(self.TOTAL_LEADING + TOP_PAD + BOTTOM_PAD)
        self.height = sum(self.heights)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas: Canvas = self.canv
        canvas.saveState()
        self._draw_texts(canvas)
        canvas.setLineCap(1)
        canvas.setLineJoin(1)
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(HEADER_RULE)
        canvas.line(0, self.heights[-1], self.width, self.heights[-1])
        canvas.line(0, 0, self.width, 0)
        canvas.restoreState()

    def _draw_texts(self, canvas: Canvas) -> None:
        pen = self.texts.pen(canvas)
        canvas.addLiteral("BT")
        canvas.setFillColor(TEXT)
        top = self.height
        last = len(self.rows) - 1
        for index, (label, amount) in enumerate(self.rows):
            font, size = (SANS_BOLD, self.TOTAL_SIZE) if index == last else (SANS, CELL_SIZE)
            baseline = top - TOP_PAD - size
            pen.show(self.SIDE_PAD, baseline, label, font, size)
            right = self.width - self.SIDE_PAD - text_width(amount, font, size)
            pen.show(right, baseline, amount, font, size)
            top -= self.heights[index]
        canvas.addLiteral(pen.flush())
        canvas.addLiteral("ET")


class SideBySide(Flowable):  # type: ignore[misc]
    """Two flowables, the second's right edge on the frame's, their tops aligned:
    a ReportLab table of one row without side padding (3 points above and below)."""

    PAD = 3

    def __init__(self, left: Flowable, right: Flowable, width: float) -> None:
        super().__init__()
        self.left = left
        self.right = right
        self.width = width
        self.height = 0.0
        self.right_x = 0.0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        _, left = self.left.wrap(available_width, available_height)
        right_width, right = self.right.wrap(available_width, available_height)
        self.right_x = self.width - right_width
        self.height = max(left, right) + 2 * self.PAD
        return self.width, self.height

    def draw(self) -> None:
        top = self.height - self.PAD
        self.left.drawOn(self.canv, 0, top - self.left.height)
        self.right.drawOn(self.canv, self.right_x, top - self.right.height)


@dataclass(frozen=True)
class Look:
    """A :class:`TextGrid` cell's text and paddings (by default ReportLab's
    above and below, none on the left)."""

    font: str = SANS
    size: float = CELL_SIZE
    leading: float = CELL_LEADING
    colour: Color = TEXT
    left: float = 0.0
    top: float = 3.0
    bottom: float = 3.0


@dataclass(frozen=True)
class Rule:
    """A rule across the grid at a row boundary (0: the top, the row count: the bottom)."""

    boundary: int
    weight: float
    colour: Color


@dataclass(frozen=True)
class Box:
    """A frame round columns ``first`` to ``last`` (inclusive), every row."""

    first: int
    last: int
    weight: float
    colour: Color


class TextGrid(Flowable):  # type: ignore[misc]
    """A ``grid`` table of left-aligned plain strings at the top of their cells,
    drawn as ReportLab draws it (same rows, positions, backgrounds and lines)
    without its per-cell machinery: one text object for all its strings.

    ``looks`` gives each cell's font and paddings; ``shaded``, a column and its
    background over every row; ``rules`` and ``boxes`` are drawn in that order,
    with ReportLab's round caps and joins. It never splits (the blocks it draws
    are a few lines each)."""

    def __init__(
        self,
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        looks: Sequence[Sequence[Look]],
        texts: TextOperators,
        *,
        shaded: tuple[int, Color] | None = None,
        rules: Sequence[Rule] = (),
        boxes: Sequence[Box] = (),
    ) -> None:
        super().__init__()
        self.cells = tuple(tuple(cell.split("\n") for cell in row) for row in rows)
        self.looks = looks
        self.texts = texts
        self.shaded = shaded
        self.rules = tuple(rules)
        self.boxes = tuple(boxes)
        self.columns = [0.0]
        for width in widths:
            self.columns.append(self.columns[-1] + width)
        self.width = self.columns[-1]
        heights = [
            max(
                len(lines) * look.leading + look.top + look.bottom
                for lines, look in zip(row, styles, strict=True)
            )
            for row, styles in zip(self.cells, looks, strict=True)
        ]
        self.tops = _row_positions(heights)
        self.height = self.tops[0]

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas: Canvas = self.canv
        canvas.saveState()
        if self.shaded is not None:
            column, colour = self.shaded
            canvas.setFillColor(colour)
            left, right = self.columns[column], self.columns[column + 1]
            canvas.rect(left, self.height, right - left, -self.height, stroke=0, fill=1)
        self._draw_texts(canvas)
        canvas.saveState()
        canvas.setLineCap(1)
        canvas.setLineJoin(1)
        for rule in self.rules:
            _stroke(canvas, rule.weight, rule.colour)
            y = self.tops[rule.boundary]
            canvas.line(0, y, self.width, y)
        for box in self.boxes:
            _stroke(canvas, box.weight, box.colour)
            left, right = self.columns[box.first], self.columns[box.last + 1]
            canvas.line(left, self.height, right, self.height)
            canvas.line(left, 0, right, 0)
            canvas.line(left, 0, left, self.height)
            canvas.line(right, 0, right, self.height)
        canvas.restoreState()
        canvas.restoreState()

    def _draw_texts(self, canvas: Canvas) -> None:
        pen = self.texts.pen(canvas)
        canvas.addLiteral("BT")
        colour: Color | None = None
        for row, looks, top in zip(self.cells, self.looks, self.tops, strict=False):
            for lines, look, left in zip(row, looks, self.columns, strict=False):
                if look.colour != colour:
                    canvas.addLiteral(pen.flush())
                    canvas.setFillColor(look.colour)
                    colour = look.colour
                baseline = top - look.top - look.size
                for line in lines:
                    if line:
                        pen.show(left + look.left, baseline, line, look.font, look.size)
                    baseline -= look.leading
        canvas.addLiteral(pen.flush())
        canvas.addLiteral("ET")


class TextLine(Flowable):  # type: ignore[misc]
    """A paragraph of one line of plain text in ``style`` (a title, a heading)
    drawn as ReportLab draws it: as wide as the frame, one leading high, the
    baseline one font size below the top; its space before and after and its
    keeping with the next flowable taken from the style. The text must fit on
    the line and be spaced as a paragraph would print it (see ``one_line``)."""

    def __init__(self, text: str, style: ParagraphStyle, texts: TextOperators) -> None:
        super().__init__()
        self.text = text
        self.style = style
        self.texts = texts
        self.spaceBefore = style.spaceBefore
        self.spaceAfter = style.spaceAfter
        self.keepWithNext = getattr(style, "keepWithNext", 0)
        self.height = style.leading

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.height

    def draw(self) -> None:
        canvas: Canvas = self.canv
        style = self.style
        pen = self.texts.pen(canvas)
        canvas.saveState()
        canvas.addLiteral("BT")
        canvas.setFillColor(style.textColor)
        pen.show(0, self.height - style.fontSize, self.text, style.fontName, style.fontSize)
        canvas.addLiteral(pen.flush())
        canvas.addLiteral("ET")
        canvas.restoreState()


def _row_positions(heights: Sequence[float]) -> list[float]:
    """Each row's top and the bottom (0), summed from the bottom as ReportLab
    does (compensated), so that the lines fall on the same points."""
    positions = [0.0]
    height = carry = 0.0
    for row in reversed(heights):
        step = row - carry
        total = height + step
        carry = (total - height) - step
        height = total
        positions.append(height)
    positions.reverse()
    return positions


def _stroke(canvas: Canvas, weight: float, colour: Color) -> None:
    canvas.setStrokeColor(colour)
    canvas.setLineWidth(weight)


@lru_cache(maxsize=4096)
def text_width(text: str, font: str, size: float = CELL_SIZE) -> float:
    return float(stringWidth(text, font, size))


SEEDED = frozenset(map(chr, range(32, 127))) | frozenset(FRENCH) | {"\xa0"}
"""The characters whose codes every document gives alike: ASCII (ReportLab's
readable subset), the no-break space (shown as a space) and :data:`FRENCH`
(seeded first by every canvas, see ``fonts.seed_subsets``)."""
SHARED_LIMIT = 20_000
"""Strings whose codes are kept for the process, all fonts together."""
Codes = tuple[tuple[int, str], ...]
"""A string as (subset, ``(…) Tj``) pieces."""


class TextOperators:
    """Each string's ``Tj`` operators in one PDF document, made once: its codes in
    the font's subsets never change once given (see ``fonts._Font``). A string
    of :data:`SEEDED` characters has the same codes in every document whose
    font was seeded alike: those are kept for the process (an invoice batch
    repeats its labels, periods, prices and amounts), only the subsets' names
    are the document's."""

    _shared: ClassVar[dict[tuple[str, str, tuple[int, ...]], Codes]] = {}

    def __init__(self) -> None:
        self._doc: Any = None
        self._shown: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
        self._seeding: dict[str, tuple[int, ...] | None] = {}

    def pen(self, canvas: Canvas) -> Pen:
        if canvas._doc is not self._doc:
            self._doc, self._shown, self._seeding = canvas._doc, {}, {}
        return Pen(self)

    def pieces(self, text: str, font: str) -> tuple[tuple[str, str], ...]:
        """``text`` as (subset font name, ``(…) Tj``) pieces."""
        key = (text, font)
        found = self._shown.get(key)
        if found is None:
            face = getFont(font)
            found = tuple(
                (face.getSubsetInternalName(subset, self._doc), shown)
                for subset, shown in self._codes(text, font)
            )
            self._shown[key] = found
        return found

    def _codes(self, text: str, font: str) -> Codes:
        seeding = self._seeding.get(font, ())
        if seeding == ():
            seeding = self._seeding[font] = _seeding(font, self._doc)
        if seeding is None or not SEEDED.issuperset(text):
            return _split(text, font, self._doc)
        shared = self._shared
        key = (text, font, seeding)
        codes = shared.get(key)
        if codes is None:
            if len(shared) >= SHARED_LIMIT:
                shared.clear()
            codes = shared[key] = _split(text, font, self._doc)
        return codes


def _split(text: str, font: str, doc: Any) -> Codes:
    return tuple(
        (subset, f"({escapePDF(codes)}) Tj")
        for subset, codes in getFont(font).splitString(text, doc)
    )


def _seeding(font: str, doc: Any) -> tuple[int, ...] | None:
    """The codes ``doc`` gives :data:`FRENCH` in ``font``; None unless it gave them all."""
    state = getFont(font).state.get(doc)
    assignments: dict[int, int] = {} if state is None else state.assignments
    codes = tuple(assignments.get(ord(char), -1) for char in FRENCH)
    return None if -1 in codes else codes


class Pen:
    """One text object's operators: strings placed at absolute positions, the
    font selected only when it changes."""

    def __init__(self, texts: TextOperators) -> None:
        self._texts = texts
        self._font: tuple[str, float] = ("", 0.0)
        self._operators: list[str] = []

    def show(self, x: float, y: float, text: str, font: str, size: float) -> None:
        operators = self._operators
        operators.append(f"1 0 0 1 {fp_str(x, y)} Tm")
        for subset, shown in self._texts.pieces(text, font):
            if (subset, size) != self._font:
                operators.append(f"{subset} {fp_str(size)} Tf")
                self._font = (subset, size)
            operators.append(shown)

    def flush(self) -> str:
        text = "\n".join(self._operators)
        self._operators = []
        return text
