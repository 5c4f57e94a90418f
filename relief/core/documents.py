"""PDF documents (decisions, claims, notices) rendered from sandboxed templates by WeasyPrint.

Choices, and why:

* Templates live in the repository's top-level ``templates/pdf`` and run in an
  ``ImmutableSandboxedEnvironment`` with autoescaping and ``StrictUndefined``: a template can
  neither call into the application nor print an empty gap where a court document expects a
  value. Contexts must be plain data (str, numbers, dates, lists, dicts), never ORM objects.
* Fonts come from PyPI packages (Noto Serif SC and Noto Sans SC Regular, Noto Sans CJK Bold),
  loaded by ``@font-face`` rules whose ``file://`` URLs are found through
  ``importlib.resources``. WeasyPrint ignores an ``@font-face`` rule unless the *same*
  ``FontConfiguration`` is given to ``CSS()`` and to ``write_pdf()``, and a missing font
  fails silently while the text still extracts, so the font files are checked on first use.
* One ``FontConfiguration`` and one parsed stylesheet are built lazily and reused: the fonts
  are copied and registered with Fontconfig once per process instead of once per document.
  Renders are serialised by a lock because sharing them between threads is unverified.
* Subsetting uses Debian's ``libharfbuzz-subset0`` when present (WeasyPrint finds it
  itself). Without it WeasyPrint falls back to fontTools, which takes seconds per CJK
  document instead of a fraction of a second; no PyPI package provides the library.
  Subsets keep their glyph ids, so each font used costs about 90 KB whatever it draws:
  templates use the serif and the bold face only (see document.css).
* The URL fetcher serves the three font files and refuses every other URL, local or remote,
  and stops the render: a document never shows an outside resource, and a template cannot
  read the server's files. The verification QR code is therefore inline SVG.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import segno
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

#: The repository's top-level template folder; PDF templates are in its ``pdf`` subfolder.
TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"

PDF_TEMPLATES_DIR = TEMPLATES_DIR / "pdf"
STYLESHEET = PDF_TEMPLATES_DIR / "document.css"

_DIGITS = "〇一二三四五六七八九"
_PLAIN_SCALARS = (str, int, Decimal, date, datetime, type(None))


class ResourceRefusedError(ValueError):
    """A document asked for a resource other than its own fonts."""


@dataclass(frozen=True)
class _FontFace:
    family: str
    weight: int
    package: str
    filename: str

    @property
    def path(self) -> Path:
        """Return the font file on disk, failing loudly instead of rendering without it."""
        resource = resources.files(self.package) / self.filename
        if not isinstance(resource, Path) or not resource.is_file():
            raise RuntimeError(f"font file {self.filename} not found in {self.package}")
        return resource


# Bold text is always set in the sans face: no bold serif is installed, and a bold 黑体
# heading over a 宋体/仿宋 body is how Chinese court documents look anyway. The bold file is
# the full Noto Sans CJK, the same design as Noto Sans SC; under lang="zh-CN" it draws the
# mainland forms, so it serves as that family's bold.
_FONT_FACES = (
    _FontFace("Noto Serif SC", 400, "pylopdf_fonts_zh_cn", "NotoSerifSC-Regular.otf"),
    _FontFace("Noto Sans SC", 400, "pylopdf_fonts_zh_cn", "NotoSansSC-Regular.otf"),
    _FontFace("Noto Sans SC", 700, "noto_cjk_sans_jp_bold", "NotoSansCJKjp-Bold.otf"),
)


class FontOnlyFetcher(URLFetcher):
    """Serve the document fonts and refuse every other URL."""

    def __init__(self, fonts: dict[str, Path]) -> None:
        # fail_on_errors turns a refusal into an error that stops the render, instead of a
        # logged warning and a document with something silently missing.
        super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=True)
        self._fonts = dict(fonts)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        """Return one of the font files, or raise ResourceRefusedError for any other URL."""
        path = self._fonts.get(url)
        if path is None:
            raise ResourceRefusedError(f"documents may not load {url!r}")

        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": "font/otf"})


@dataclass(frozen=True)
class _Renderer:
    environment: ImmutableSandboxedEnvironment
    font_config: FontConfiguration
    stylesheet: CSS
    fetcher: FontOnlyFetcher


_render_lock = threading.Lock()


def chinese_date(d: date) -> str:
    """Write a date the way a court signs a document, e.g. 二〇二五年十月九日."""
    year = "".join(_DIGITS[int(digit)] for digit in f"{d.year:04d}")
    return f"{year}年{chinese_numeral(d.month)}月{chinese_numeral(d.day)}日"


def chinese_numeral(n: int) -> str:
    """Write 1–99 in Chinese numerals (一, 十, 十一, 二十, 三十一) for dates and list items."""
    if not 0 < n < 100:
        raise ValueError(f"chinese_numeral handles 1–99, not {n}")

    tens, units = divmod(n, 10)
    if tens == 0:
        return _DIGITS[units]

    # 十 alone means ten; 二十 and up carry their multiplier, and a trailing zero is silent.
    prefix = "" if tens == 1 else _DIGITS[tens]
    return f"{prefix}十{_DIGITS[units] if units else ''}"


def arabic_date(d: date) -> str:
    """Write a date as running text in a document does, e.g. 2025年10月9日."""
    return f"{d.year}年{d.month}月{d.day}日"


def qr_svg(url: str) -> Markup:
    """Return the URL as an inline SVG QR code (error level M), safe to embed in a template."""
    code = segno.make(url, error="m", boost_error=False, micro=False)

    # The modules encode the URL; no text from the URL reaches the markup, so it is safe.
    # A 2-module border suffices: the layout leaves white space around the code as well.
    svg = code.svg_inline(scale=1, border=2, omitsize=True, svgclass="qr", lineclass=None)
    return Markup(svg)  # noqa: S704 - built by segno from module geometry only


def sha256_hex(data: bytes) -> str:
    """Return the SHA-256 digest of a document's bytes as 64 lowercase hex digits."""
    return hashlib.sha256(data).hexdigest()


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render ``templates/pdf/<template_name>`` with a plain-data context to A4 PDF bytes.

    Raises ``TypeError`` if the context holds anything but plain data, ``jinja2``'s
    ``UndefinedError`` if the template needs a key the context lacks, and
    ``ResourceRefusedError`` if the document tries to load anything but its fonts.
    """
    _check_plain(context, "context")

    with _render_lock:
        renderer = _renderer()

        # Autoescaped sandbox first: what reaches WeasyPrint is inert HTML.
        html = renderer.environment.get_template(template_name).render(context)

        # WeasyPrint reports a refused fetch as a BaseException; callers get an ordinary error.
        try:
            document = HTML(string=html, url_fetcher=renderer.fetcher)
            return document.write_pdf(
                stylesheets=[renderer.stylesheet], font_config=renderer.font_config
            )
        except FatalURLFetchingError as error:
            raise ResourceRefusedError(str(error)) from error


@cache
def _renderer() -> _Renderer:
    """Build the template environment, the fonts and the stylesheet once per process."""
    fonts = {face.path.as_uri(): face.path for face in _FONT_FACES}
    fetcher = FontOnlyFetcher(fonts)

    environment = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(PDF_TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["chinese_date"] = chinese_date
    environment.filters["arabic_date"] = arabic_date
    environment.filters["chinese_numeral"] = chinese_numeral
    environment.filters["qr_svg"] = qr_svg

    # The @font-face rules carry this machine's paths, so they are written here and put in
    # front of the stylesheet; the same FontConfiguration must reach write_pdf().
    font_faces = "\n".join(
        f'@font-face {{ font-family: "{face.family}"; font-weight: {face.weight}; '
        f'src: url("{face.path.as_uri()}"); }}'
        for face in _FONT_FACES
    )
    font_config = FontConfiguration()
    stylesheet = CSS(
        string=f"{font_faces}\n{STYLESHEET.read_text(encoding='utf-8')}",
        url_fetcher=fetcher,
        font_config=font_config,
    )
    return _Renderer(environment, font_config, stylesheet, fetcher)


def _check_plain(value: Any, where: str) -> None:
    """Refuse contexts holding objects (ORM rows, callables) that a template could walk."""
    if isinstance(value, _PLAIN_SCALARS):
        return

    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where} has a non-string key {key!r}")
            _check_plain(item, f"{where}[{key!r}]")
        return

    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_plain(item, f"{where}[{index}]")
        return

    raise TypeError(f"{where} is a {type(value).__name__}; PDF contexts take plain data only")
