"""The English catalogue: complete for the current source, compiled, and chosen by /lang/en.

The msgids are the Simplified Chinese UI text, so Chinese needs no catalogue: Flask-Babel
finds none for zh_Hans_CN and falls back to the msgids. English lives in
relief/translations/en, which `make messages` keeps in step with babel.cfg's sources.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "relief" / "translations"
ENGLISH_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
ENGLISH_MO = ENGLISH_PO.with_suffix(".mo")
PO_IN_REPO = ENGLISH_PO.relative_to(ROOT)

#: the keywords `make messages` passes; Babel before 2.19 may ignore those in babel.cfg
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\(\w+\)[a-z]|%[a-z%]")
NUMBER = re.compile(r"\d+")


def read_english() -> Catalog:
    """The English catalogue as it stands in the source tree."""
    with ENGLISH_PO.open("rb") as po_file:
        return read_po(po_file, locale="en")


def source_messages() -> dict[tuple[str, str | None], list[str]]:
    """Every (msgid, context) that babel.cfg extracts today, with where it occurs."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)

    found: dict[tuple[str, str | None], list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault((msgid, context), []).append(f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="session")
def english_catalogue() -> Path:
    """The compiled English catalogue, compiled here when `make` has not done it.

    A .mo older than its .po is compiled again, so a test run never checks stale text. The
    file is written under a unique name beside the .po and moved into place, so neither a
    running server nor a second test run reads half of it.
    """
    if ENGLISH_MO.exists() and ENGLISH_MO.stat().st_mtime >= ENGLISH_PO.stat().st_mtime:
        return ENGLISH_MO

    # like `make translations`: fuzzy entries are compiled, and test_no_entry_is_fuzzy
    # refuses them
    with tempfile.NamedTemporaryFile(
        dir=ENGLISH_MO.parent, prefix=".messages-", suffix=".mo", delete=False
    ) as mo_file:
        write_mo(mo_file, read_english(), use_fuzzy=True)
    compiled = Path(mo_file.name)
    compiled.chmod(0o644)  # as pybabel leaves it, not the temporary file's 0600
    compiled.replace(ENGLISH_MO)
    return ENGLISH_MO


def test_flask_babel_reads_the_catalogues_in_relief_translations(app):
    assert str(TRANSLATIONS) in app.extensions["babel"].translation_directories


def test_login_page_is_chinese_until_the_user_switches_to_english(english_catalogue, client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "工作人员登录" in page

    # the switch stores the choice in the session and sends the user back
    assert client.get("/lang/en").status_code == 302
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Staff login" in page
    assert "工作人员登录" not in page

    assert client.get("/lang/zh").status_code == 302
    page = client.get("/login").get_data(as_text=True)
    assert "工作人员登录" in page
    assert "Staff login" not in page


def test_every_entry_is_translated():
    untranslated = [
        message.id
        for message in read_english()
        if message.id
        and not all(message.string if isinstance(message.string, tuple) else [message.string])
    ]
    assert not untranslated, f"untranslated in {PO_IN_REPO}: {untranslated}"


def test_no_entry_is_fuzzy():
    # a fuzzy entry is a guess (pybabel update's or an editor's) that nobody has checked, yet
    # `make translations` compiles it
    fuzzy = [message.id for message in read_english() if message.id and message.fuzzy]
    assert not fuzzy, f"check these in {PO_IN_REPO} and drop the fuzzy flag: {fuzzy}"


def test_every_string_in_the_source_is_in_the_catalogue():
    catalogue = read_english()
    known = {(message.id, message.context) for message in catalogue}
    known |= {(message.id[0], message.context) for message in catalogue if message.pluralizable}

    missing = {
        msgid: places
        for (msgid, context), places in source_messages().items()
        if (msgid, context) not in known
    }
    assert not missing, f"run `make messages`, then translate in {PO_IN_REPO}: {missing}"


def test_translations_keep_placeholders_and_numbers():
    changed = []
    for message in read_english():
        if not message.id or message.pluralizable:  # a singular form may leave out the count
            continue
        for pattern in (PLACEHOLDER, NUMBER):
            if sorted(pattern.findall(message.id)) != sorted(pattern.findall(message.string)):
                changed.append((message.id, message.string))
                break
    assert not changed, f"placeholders or numbers differ from the msgid: {changed}"
