"""The CJK font every chart and report uses: Noto Sans SC (SIL Open Font License 1.1).

It arrives with `pip install`, in the `pylopdf-fonts-zh-cn` wheel, so no system font
package is needed. That file has PostScript (CFF) outlines, which matplotlib draws on
screen but embeds wrongly in PDF (as a TrueType program holding CFF data). The first use
therefore converts it once to TrueType outlines (fontTools, about half a minute) and
keeps the result in the user's cache folder; later uses just register the cached file.

The font is registered by file path (`fontManager.addfont`): a font installed after
matplotlib built its font cache is otherwise invisible to it.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from ..errors import GovgraphError

FAMILY = "Noto Sans SC"
POSTSCRIPT_NAME = "NotoSansSC-Regular"
_CONVERTER_VERSION = 1  # bump when the conversion changes, to rebuild cached files

_registered: Path | None = None


def source_path() -> Path:
    """The OpenType file shipped by the font wheel."""
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        raise GovgraphError("缺少中文字体包，请运行：pip install pylopdf-fonts-zh-cn") from None
    path = Path(pylopdf_fonts_zh_cn.sans_path())
    if not path.is_file():
        raise GovgraphError(f"中文字体文件不存在：{path}，请重新安装 pylopdf-fonts-zh-cn")
    return path


def cache_dir() -> Path:
    """$GOVGRAPH_CACHE_DIR, else $XDG_CACHE_HOME/govgraph, else ~/.cache/govgraph."""
    if os.environ.get("GOVGRAPH_CACHE_DIR"):
        return Path(os.environ["GOVGRAPH_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "govgraph"


def _cached_name(source: Path) -> str:
    return f"{POSTSCRIPT_NAME}-{source.stat().st_size}-v{_CONVERTER_VERSION}.ttf"


def _candidates(source: Path) -> list[Path]:
    name = _cached_name(source)
    return [cache_dir() / "fonts" / name, Path(tempfile.gettempdir()) / "govgraph-fonts" / name]


def is_ready() -> bool:
    """True when the TrueType copy exists (no conversion pending)."""
    return any(p.is_file() for p in _candidates(source_path()))


def truetype_path() -> Path:
    """The TrueType copy of the font, converting it on first use."""
    source = source_path()
    candidates = _candidates(source)
    for path in candidates:
        if path.is_file():
            return path
    font = _convert(source)
    for path in candidates:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
            os.close(fd)
            font.save(tmp)
            os.replace(tmp, path)  # atomic: a concurrent process sees the whole file or none
            return path
        except OSError:
            continue
    raise GovgraphError(f"无法写入字体缓存（{candidates[0].parent}），请检查该目录的写入权限或设置 GOVGRAPH_CACHE_DIR")


def _convert(source: Path):
    """CFF outlines to TrueType (quadratic) outlines, everything else kept."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(str(source))
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["post"].formatType = 3.0  # no glyph names: CID fonts have none worth keeping
    for table in ("CFF ", "VORG"):
        if table in font:
            del font[table]
    font.sfntVersion = "\x00\x01\x00\x00"
    return font


def register() -> Path:
    """Make the font known to matplotlib (once per process); returns its file."""
    global _registered
    if _registered is None:
        from matplotlib import font_manager

        path = truetype_path()
        font_manager.fontManager.addfont(str(path))
        _registered = path
    return _registered


def rc_params() -> dict:
    """Settings for every figure: the CJK font, embedded as TrueType in PDF, and as glyph
    outlines in SVG (so the drawing looks the same on a machine without the font; the
    text itself is kept in the SVG as comments)."""
    return {
        "font.family": [FAMILY],
        "font.sans-serif": [FAMILY],
        "axes.unicode_minus": False,
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "svg.fonttype": "path",
        "svg.hashsalt": "govgraph",  # stable ids: the same chart gives the same file
        "figure.dpi": 100,
    }


@contextmanager
def chart_style():
    """`with chart_style(): ...` creates and saves figures with the project's font."""
    import matplotlib as mpl

    register()
    with mpl.rc_context(rc_params()):
        yield
