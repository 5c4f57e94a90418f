"""The case list's search box: a case number, the start of a name, an identity number."""

from __future__ import annotations

import pytest

from relief.accounts.models import Role
from relief.extensions import db
from tests.factories import login, make_case, make_user


@pytest.fixture
def clerk_client(app, client):
    """A client logged in as a clerk, with two cases in the register."""
    make_user("clerk", Role.CLERK)
    wanted, other = make_case(), make_case()
    other.parties[0].name = "盘锦鼎盛商贸有限公司"
    db.session.commit()
    login(client, "clerk")
    return client, wanted


def _found(client, text: str) -> str:
    response = client.get("/cases/", query_string={"q": text})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_case_number_finds_its_case_also_with_half_width_brackets(clerk_client):
    client, wanted = clerk_client
    typed = wanted.case_number.replace("（", "(").replace("）", ")")

    page = _found(client, typed)

    assert "共 1 件" in page
    assert wanted.case_number in page


def test_the_beginning_of_a_case_number_finds_the_cases_it_starts(clerk_client):
    client, _wanted = clerk_client

    assert "共 2 件" in _found(client, "(2024)辽1103执")


def test_a_name_is_found_from_its_start(clerk_client):
    client, _wanted = clerk_client

    assert "共 2 件" in _found(client, "蒋胜")  # both respondents
    assert "共 1 件" in _found(client, "盘锦鼎盛")
    # a name is matched from its start only, so an index can answer
    assert "共 0 件" in _found(client, "鼎盛")


def test_an_identity_number_finds_its_party_in_either_case(clerk_client):
    client, _wanted = clerk_client

    assert "共 2 件" in _found(client, "21110319920113946x")


def test_text_with_like_wildcards_matches_them_literally(clerk_client):
    client, _wanted = clerk_client

    assert "共 0 件" in _found(client, "蒋%")
    assert "共 0 件" in _found(client, "_胜")
