"""The fonts of every document: DejaVu Sans (and Sans Mono), embedded in the PDF.

The files live in ``resources/fonts/`` with their licence. TrueType fonts are
embedded (subset) by ReportLab, so a PDF reads the same on any computer; the
14 standard PDF fonts, which are never embedded and lack many glyphs (« € »,
narrow no-break space), are never used.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

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


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


@cache
def register_fonts() -> str:
    """Register the fonts with ReportLab (once per process); returns the family name."""
    for (name, bold, italic), filename in _FACES.items():
        path = fonts_dir() / filename
        if not path.is_file():
            raise UserError(f"Police introuvable : {path}. Réinstallez l'application.")
        pdfmetrics.registerFont(TTFont(name, str(path)))
        family = MONO if name == MONO else SANS
        addMapping(family, int(bold), int(italic), name)
    return SANS
