"""schemathesis over the whole API, as a resident and as a community worker: no request may
answer 500, and every answer must be one the OpenAPI document declares (status, content type,
body).

Bounded and deterministic: each operation gets at most ``EXAMPLES`` requests per user, drawn with a
fixed derandomised seed (no example database, no shrinking), half that fit the document and
half that do not. The calls go to the real Django application (its WSGI handler), inside the
test's transaction, against tests/api_world.py's community: path parameters name the world's
objects, so requests reach the views rather than stopping at a 404."""

from __future__ import annotations

import os
import re
from collections import Counter
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import DatabaseError, close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api_world import World, build_world

#: Who calls: tests/api_world.py's users.
USERS = ("resident", "worker")
#: (path, status) of every answer, printed with GONGZHI_SCHEMATHESIS_STATS=1 to see how far
#: the requests get (a run where everything is a 404 or a 400 tests little).
STATUSES: list[tuple[str, int]] = []
#: Requests per operation and user: 3 keeps the run near half a minute per database (all of
#: issue 11's tests may add 90 s); GONGZHI_SCHEMATHESIS_EXAMPLES=5 (the issue's bound) for more.
EXAMPLES = min(int(os.environ.get("GONGZHI_SCHEMATHESIS_EXAMPLES", "3")), 5)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def path_values(path: str, world: World) -> dict[str, Any]:
    """The world's object for each path parameter of an operation."""
    ids = world.ids
    names = {
        "process_id": "ideas_process_id",
        "number": "ticket" if "/hotline/" in path else "statement_number",
        "entry_id": "pending_entry_id",
    }
    if "/funded/" in path:
        names |= {"process_id": "funded_process_id", "idea_id": "funded_idea_id"}
    if "/ideas/{idea_id}/comments/" in path:
        names["comment_id"] = "idea_comment_id"
    values = {}
    for name in re.findall(r"\{(\w+)\}", path):
        key = names.get(name, name)
        if key in ids and name != "role":
            values[name] = ids[key]
    return values


#: What the request boundary refuses (gongzhi.core.boundary): control characters but tab,
#: newline and carriage return. The document cannot say so for every text field.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _without_controls(value: Any) -> Any:
    if isinstance(value, str):
        return CONTROL.sub("", value)
    if isinstance(value, dict):
        return {_without_controls(k): _without_controls(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_controls(v) for v in value]
    return value


def _fitting(case: Any) -> Any:
    """A positive case as a client that fits the document sends it: without the control
    characters the boundary refuses before any view runs (negative cases keep theirs)."""
    for part in ("body", "query", "path_parameters"):
        value = getattr(case, part, None)
        if isinstance(value, dict | list | str):
            setattr(case, part, _without_controls(value))
    return case


def _run_operation(operation: Any, world: World, who: str, app: Any) -> str | None:
    """Up to EXAMPLES requests to one operation; the first failure, described, or None."""
    auth = world.auth(who)
    headers = {"Authorization": auth["HTTP_AUTHORIZATION"], "Accept-Language": "en"}
    path_parameters = path_values(operation.path, world)
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters=path_parameters).map(
            _fitting
        ),
        operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=path_parameters),
    )

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        try:
            # A savepoint per request: a database error in one leaves the next one working.
            with transaction.atomic():
                response = case.call(headers=headers, app=app)
        except DatabaseError as exc:  # the savepoint could not be released: the request broke it
            raise AssertionError(f"database error: {exc}") from exc
        STATUSES.append((operation.path, response.status_code))
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        run()
    # schemathesis raises its check failures as a FailureGroup, a BaseExceptionGroup.
    except (Exception, FailureGroup) as exc:  # noqa: BLE001 - each operation's failure is listed
        return f"{operation.method.upper()} {operation.path}: {exc}"
    return None


@pytest.mark.django_db
def test_no_server_errors_and_answers_match_the_document(settings_fixture):
    """As a resident, then as a community worker (with two-factor login, as staff must have),
    in one world: its set-up (the hotline's router is trained) is the dearest part."""
    world = build_world()
    app = WSGIHandler()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 100
    failures = [
        f"as {who}: {failure}"
        for who in USERS
        for operation in operations
        if (failure := _run_operation(operation, world, who, app))
    ]
    if os.environ.get("GONGZHI_SCHEMATHESIS_STATS"):
        print(Counter(status for _, status in STATUSES))  # noqa: T201 - asked for
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(failures)


@pytest.fixture
def settings_fixture(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ALLOWED_HOSTS = ["localhost", "testserver", "127.0.0.1"]
    # The handler closes the database connection after each request, as in production; the
    # test's transaction lives on it (Django's test client disconnects the same two signals).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield settings
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
