"""The API keeps its published contract: Schemathesis generates requests from the OpenAPI
document, signs them with a real key, and checks that no answer is a server error and every
answer matches the document (status, body schema, content type).
"""

from __future__ import annotations

import json

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from insurer_api.signing import sign_request
from relief.extensions import db

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


#: generated requests per operation: enough to vary every field, few enough to stay fast
EXAMPLES = 10


def test_every_operation_keeps_the_contract(app, world):
    # schemathesis.pytest.from_fixture reads a pytest private attribute that pytest 9
    # removed, so each operation's strategy is driven through Hypothesis here instead
    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
        def keeps_the_contract(case):
            response = _send_signed(app, world.a, case)
            case.validate_response(response, checks=CHECKS)

        keeps_the_contract()


def _send_signed(app, side, case):
    """Send a generated request signed with the side's key, over the exact bytes sent."""
    kwargs = case.as_transport_kwargs()
    body = b""
    if kwargs.get("json") is not None:
        body = json.dumps(kwargs["json"]).encode()
    elif isinstance(kwargs.get("data"), bytes | str):
        body = kwargs["data"] if isinstance(kwargs["data"], bytes) else kwargs["data"].encode()
    query = [
        (name, str(item))
        for name, value in (kwargs.get("query_string") or {}).items()
        for item in (value if isinstance(value, list) else [value])
    ]
    headers = {
        **kwargs["headers"],
        **sign_request(case.method, kwargs["path"], query, body, side.key_id, side.secret),
    }

    response = app.test_client().open(
        kwargs["path"], method=case.method, headers=headers, query_string=query, data=body
    )
    db.session.expire_all()
    return response
