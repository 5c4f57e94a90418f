"""The Chinese web font of the staff pages, served from the font package the PDFs use.

Without a CJK font on the machine, a browser draws every Chinese character as a box. The
pages therefore load Noto Sans SC as a web font (``@font-face`` in ``static/app.css``),
from the same PyPI package that the documents embed, so no font file is kept in the tree.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from flask import Blueprint, Response, abort, send_file

from relief.web import public

blueprint = Blueprint("fonts", __name__)

#: the font package and file; the package is pinned in pyproject.toml, so the file behind
#: the URL changes only with a new release of the app
FONT_PACKAGE = "pylopdf_fonts_zh_cn"
FONT_FILE = "NotoSansSC-Regular.otf"
#: a year: browsers keep the 8 MB font instead of asking for it on every page
MAX_AGE = 365 * 24 * 3600


def font_path() -> Path | None:
    """Return the font file on disk, or None if the installed package lacks it."""
    resource = resources.files(FONT_PACKAGE) / FONT_FILE
    if not isinstance(resource, Path) or not resource.is_file():
        return None
    return resource


@blueprint.get(f"/static/fonts/{FONT_FILE}")
@public
def noto_sans_sc() -> Response:
    """Serve Noto Sans SC Regular, cacheable for a year; 404 if the package lacks it."""
    path = font_path()
    if path is None:
        abort(404)

    response = send_file(path, mimetype="font/otf", max_age=MAX_AGE, conditional=True)
    response.cache_control.public = True
    return response
