"""The fonts of every document: DejaVu Sans (and Sans Mono), embedded in the PDF.

The files live in ``resources/fonts/`` with their licence. TrueType fonts are
embedded (subset) by ReportLab, so a PDF reads the same on any computer; the
14 standard PDF fonts, which are never embedded and lack many glyphs (« € »,
narrow no-break space), are never used.

Subsetting a font and compressing the subset is most of the cost of a small
document, and almost every document needs the same subset: every canvas
first gives :data:`FRENCH` its codes (:func:`seed_subsets`), so that the
subsets depend only on the characters beyond it, and each subset is made
and compressed once per process (:class:`_CachedSubsets`). A document's
strings are also encoded once each (:class:`_Font`): a table repeats its
amounts, rates and dates on every line.
"""

from __future__ import annotations

import zlib
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, TTFont, TTFontFace

from desktop.errors import UserError
from desktop.paths import resources_dir

SANS = "DejaVuSans"
SANS_BOLD = "DejaVuSans-Bold"
SANS_ITALIC = "DejaVuSans-Oblique"
SANS_BOLD_ITALIC = "DejaVuSans-BoldOblique"
MONO = "DejaVuSansMono"

# (registered name, bold, italic) → file; the family maps <b> and <i> in paragraphs.
_FACES = {
    (SANS, False, False): "DejaVuSans.ttf",
    (SANS_BOLD, True, False): "DejaVuSans-Bold.ttf",
    (SANS_ITALIC, False, True): "DejaVuSans-Oblique.ttf",
    (SANS_BOLD_ITALIC, True, True): "DejaVuSans-BoldOblique.ttf",
    (MONO, False, False): "DejaVuSansMono.ttf",
}

FRENCH = "àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ€«»—–‘’“”…·°×\u202f"
"""What French text uses beyond ASCII (which ReportLab always embeds whole)."""
SUBSETS_KEPT = 64
"""Subsets kept, all fonts together (some twenty kilobytes each)."""


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


@cache
def register_fonts() -> str:
    """Register the fonts with ReportLab (once per process); returns the family name."""
    for (name, bold, italic), filename in _FACES.items():
        path = fonts_dir() / filename
        if not path.is_file():
            raise UserError(f"Police introuvable : {path}. Réinstallez l'application.")
        pdfmetrics.registerFont(_Font(name, str(path)))
        family = MONO if name == MONO else SANS
        addMapping(family, int(bold), int(italic), name)
    return SANS


def seed_subsets(doc: Any) -> None:
    """Give :data:`FRENCH` its codes in the sans fonts of the PDF document ``doc``
    (a canvas's ``_doc``) before anything is drawn: every document then numbers
    these characters alike, and its subsets are those of the cache."""
    for name in (SANS, SANS_BOLD):
        pdfmetrics.getFont(name).splitString(FRENCH, doc)


class _Font(TTFont):  # type: ignore[misc]
    """ReportLab's TrueType font, its subsets cached, each string of a document
    split into subset codes once: a character's code never changes in a
    document once given, so neither does the result for a string."""

    def __init__(self, name: str, path: str) -> None:
        super().__init__(name, path)
        self.face.__class__ = _CachedSubsets  # the face just parsed, with a cache

    def splitString(  # noqa: N802 - ReportLab's name
        self, text: str, doc: Any, encoding: str = "utf-8"
    ) -> list[tuple[int, bytes]]:
        state = self.state.get(doc)
        known: dict[str, list[tuple[int, bytes]]] | None = getattr(state, "split", None)
        if known is not None and text in known:
            return known[text]
        result: list[tuple[int, bytes]] = super().splitString(text, doc, encoding)
        if known is None:
            known = self.state[doc].split = {}
        known[text] = result
        return result

    def addObjects(self, doc: Any) -> None:  # noqa: N802 - ReportLab's name
        """ReportLab's font objects, each subset's widths formatted once per process
        (a long array of numbers, the same in every document)."""
        subsets = [tuple(subset) for subset in self.state[doc].subsets]
        names = [self.getSubsetInternalName(n, doc)[1:] for n in range(len(subsets))]
        super().addObjects(doc)
        fonts = doc.idToObject[pdfdoc.BasicFonts].dict
        for name, subset in zip(names, subsets, strict=True):
            fonts[name].Widths = self.face.widths(subset)


class _CachedSubsets(TTFontFace):  # type: ignore[misc]
    """A TrueType face whose subsets are made and compressed once per process:
    the same objects as ReportLab's, the font program taken from the cache."""

    def addSubsetObjects(self, doc: Any, fontname: str, subset: list[int]) -> Any:  # noqa: N802
        if not doc.compression:
            return super().addSubsetObjects(doc, fontname, subset)
        program, length = self._program(tuple(subset))
        font_file = pdfdoc.PDFStream(
            pdfdoc.PDFDictionary({"Length1": length, "Filter": pdfdoc.PDFName("FlateDecode")}),
            program,
        )
        descriptor = pdfdoc.PDFDictionary(
            {
                "Type": "/FontDescriptor",
                "Ascent": self.ascent,
                "CapHeight": self.capHeight,
                "Descent": self.descent,
                "Flags": (self.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
                "FontBBox": pdfdoc.PDFArray(self.bbox),
                "FontName": pdfdoc.PDFName(fontname),
                "ItalicAngle": self.italicAngle,
                "StemV": self.stemV,
                "FontFile2": doc.Reference(font_file, f"fontFile:{self.filename}({fontname})"),
                "MissingWidth": self.defaultWidth,
            }
        )
        return doc.Reference(descriptor, f"fontDescriptor:{fontname}")

    @lru_cache(maxsize=SUBSETS_KEPT)  # noqa: B019 - five faces, kept for the process
    def widths(self, subset: tuple[int, ...]) -> _Formatted:
        """The subset's ``/Widths`` array, formatted."""
        return _Formatted(pdfdoc.PDFArray(map(self.getCharWidth, subset)).format(None))

    @lru_cache(maxsize=SUBSETS_KEPT)  # noqa: B019 - five faces, kept for the process
    def _program(self, subset: tuple[int, ...]) -> tuple[bytes, int]:
        """The subset's font program, compressed, and its length before."""
        program = self.makeSubset(list(subset))
        return zlib.compress(program), len(program)


class _Formatted(pdfdoc.PDFObject):  # type: ignore[misc]
    """A PDF value already formatted."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def format(self, document: Any) -> bytes:
        return self.data
