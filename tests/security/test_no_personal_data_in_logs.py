"""The whole relief story, logged at DEBUG: no identity number, phone number or name leaks.

Every log line the application (and the libraries under it) writes while the story runs is
scanned. Another story joins by adding itself to STORIES: a function taking ``app`` and
``client`` that drives it end to end, and, in SECRETS_OF, what it must never log.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Callable

import pytest

from tests import test_relief_story as relief_story
from tests.conftest import SAMPLE_EXPORT

#: GB 11643 identity numbers and mainland mobile numbers, wherever they stand in a line
IDENTITY_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")
PHONE_NUMBER = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")

#: the stories to run: name → function(app, client)
STORIES: dict[str, Callable] = {
    "relief": relief_story.test_relief_claim_from_export_to_clawback,
}


def export_secrets() -> set[str]:
    """Party names and identity numbers of the people in the court's export."""
    found = set()
    with SAMPLE_EXPORT.open(encoding="utf-8-sig", newline="") as export:
        for row in csv.DictReader(export):
            for role in ("申请执行人", "被执行人"):
                if row.get(f"{role}类型") == "自然人" and row.get(role):
                    found.add(row[role].strip())
                    found.add(row.get(f"{role}证件号码", "").strip())
    return {text for text in found if len(text) >= 2}


#: what each story must never log, beyond the patterns above
SECRETS_OF: dict[str, Callable[[], set[str]]] = {"relief": export_secrets}


@pytest.mark.parametrize("story", sorted(STORIES))
def test_the_story_logs_no_personal_data(app, client, caplog, story):
    caplog.set_level(logging.DEBUG)

    STORIES[story](app, client)

    lines = [record.getMessage() for record in caplog.records]
    lines += [record.exc_text or "" for record in caplog.records]
    assert len(lines) > 10, "the story logged almost nothing: is logging captured at all?"
    text = "\n".join(lines)
    assert IDENTITY_NUMBER.findall(text) == []
    assert PHONE_NUMBER.findall(text) == []
    leaked = sorted(secret for secret in SECRETS_OF[story]() if secret in text)
    assert leaked == []
