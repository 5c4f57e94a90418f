"""Who may open what: every route of the URL map, every role, and nobody logged in.

The matrix is generated from ``app.url_map``, so a new route is checked the moment it
exists. A staff route declares its roles with ``roles_required`` (which records them on the
view), a public one with ``public``; a route that declares neither fails here.
"""

from __future__ import annotations

from flask import Flask, url_for
from werkzeug.routing import IntegerConverter, Rule

from relief.accounts.models import Role
from relief.extensions import db
from relief.web import roles_required
from tests.conftest import IsolatedClient
from tests.factories import login, make_insurer, make_user

#: Flask's own static files: the stylesheet, nothing personal
FRAMEWORK_PUBLIC = {"static"}
API_PREFIX = "/api/"
#: methods a route answers that change nothing and are not separately authorised
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def client_of(app: Flask):
    """A client whose requests each run in their own context, as in a server."""
    app.test_client_class = IsolatedClient
    return app.test_client()


def staff_rules(app: Flask) -> list[Rule]:
    """Every route of the staff site (the partner API has its own signature check)."""
    return [rule for rule in app.url_map.iter_rules() if not rule.rule.startswith(API_PREFIX)]


def declaration(app: Flask, rule: Rule) -> str | frozenset[Role] | None:
    """ "public", the roles the route admits, or None when it declares nothing."""
    view = app.view_functions[rule.endpoint]
    if rule.endpoint in FRAMEWORK_PUBLIC or getattr(view, "public", False):
        return "public"
    return getattr(view, "allowed_roles", None)


def url_of(app: Flask, rule: Rule) -> str:
    """The route's URL with made-up arguments: refusal must come before any lookup."""
    values = {
        name: 1 if isinstance(rule._converters[name], IntegerConverter) else "x"
        for name in rule.arguments
    }
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def test_every_route_declares_who_may_use_it(app):
    undeclared = [
        f"{rule.endpoint} {rule.rule}"
        for rule in staff_rules(app)
        if declaration(app, rule) is None
    ]

    assert undeclared == [], (
        "routes without roles_required(...) or @public (relief.web): " + ", ".join(undeclared)
    )


def test_no_role_is_let_into_a_route_that_does_not_admit_it(app):
    insurer, *_ = make_insurer("人保盘锦")
    for role in Role:
        make_user(role.value, role, insurer if role == Role.INSURER else None)
    db.session.commit()
    # the forms' CSRF token is checked before the view: switch it off to reach the view
    app.config["WTF_CSRF_ENABLED"] = False
    clients = {}
    for role in Role:
        clients[role] = client_of(app)
        login(clients[role], role.value)

    let_in = []
    checked = 0
    for rule in staff_rules(app):
        roles = declaration(app, rule)
        if roles == "public" or roles is None:
            continue
        url = url_of(app, rule)
        for method in sorted(rule.methods - IGNORED_METHODS):
            for role in set(Role) - roles:
                answer = clients[role].open(url, method=method)
                checked += 1
                if answer.status_code != 403:
                    let_in.append(f"{role.value} {method} {url} → {answer.status_code}")

    assert checked > 0
    assert let_in == []


def test_nobody_logged_in_is_sent_to_the_login_page(app):
    app.config["WTF_CSRF_ENABLED"] = False
    client = client_of(app)

    let_in = []
    for rule in staff_rules(app):
        if declaration(app, rule) in ("public", None):
            continue
        url = url_of(app, rule)
        for method in sorted(rule.methods - IGNORED_METHODS):
            answer = client.open(url, method=method)
            sent_to_login = answer.status_code == 302 and answer.location.startswith("/login")
            if not (sent_to_login or answer.status_code == 401):
                let_in.append(f"{method} {url} → {answer.status_code}")

    assert let_in == []


def test_a_route_that_names_no_role_admits_nobody(app):
    # fail closed: a forgotten argument must not mean "anyone logged in"
    @app.get("/closed-by-default")
    @roles_required()
    def closed():
        return "inside"

    make_user("admin", Role.ADMIN)
    db.session.commit()
    client = client_of(app)
    login(client, "admin")

    answer = client.get("/closed-by-default")

    assert answer.status_code == 403
    assert "inside" not in answer.get_data(as_text=True)


def test_every_partner_api_route_refuses_an_unsigned_request(app):
    client = client_of(app)
    api_rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and not rule.rule.endswith("openapi.json")
    ]

    let_in = []
    for rule in api_rules:
        url = url_of(app, rule)
        for method in sorted(rule.methods - IGNORED_METHODS):
            answer = client.open(url, method=method, json={})
            if answer.status_code != 401 or answer.get_json()["code"] != "unauthorized":
                let_in.append(f"{method} {url} → {answer.status_code}")

    assert len(api_rules) >= 5
    assert let_in == []
