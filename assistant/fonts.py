"""The CJK font every rendered output uses: one TrueType file on the machine, embedded (subset) in each PDF so
a reader with no Chinese font of their own still sees the glyphs, and given to matplotlib so charts keep their
Chinese labels. `make setup` installs it (Debian's fonts-wqy-microhei)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from assistant.errors import SetupError

# TrueType outlines only: reportlab cannot embed the CFF outlines of Noto Sans CJK's OpenType files.
CJK_FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
INSTALL_HINT = "install one: sudo apt-get install fonts-wqy-microhei (make setup does), or set QCA_CJK_FONT"


def cjk_font_file(configured: Path | None = None) -> Path:
    """The configured font file (QCA_CJK_FONT), else the first installed of CJK_FONT_FILES."""
    if configured is None:
        from assistant.config import get_settings

        configured = get_settings().cjk_font
    if configured is not None:
        if not Path(configured).is_file():
            raise SetupError(f"QCA_CJK_FONT {configured} is not a font file")
        return Path(configured)
    found = next((Path(p) for p in CJK_FONT_FILES if Path(p).is_file()), None)
    if found is None:
        raise SetupError(f"no Chinese (CJK) TrueType font found ({', '.join(CJK_FONT_FILES)}); {INSTALL_HINT}")
    return found


@lru_cache(maxsize=4)
def pdf_font(configured: Path | None = None) -> str:
    """The reportlab name of the CJK font, registered once; reportlab embeds the glyphs a PDF uses (a subset)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path = cjk_font_file(configured)
    name = f"QCA-CJK-{path.stem}"
    pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))  # the first face of a .ttc collection
    return name


@lru_cache(maxsize=4)
def chart_font(configured: Path | None = None) -> str:
    """The matplotlib family name of the CJK font, its file registered with matplotlib once."""
    from matplotlib import font_manager

    path = cjk_font_file(configured)
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()
