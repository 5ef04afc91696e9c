"""Every API operation in the OpenAPI schema, fuzzed as every persona: never a 5xx, and every answer is one the
schema documents (its status, its content type, its body's shape).

Schemathesis generates the requests from the schema the site serves at ``/api/v1/schema/``, both valid ones and
ones that break it (wrong types, missing fields, out-of-range values), and sends them in-process to Django's WSGI
application, so they run inside the test's transaction against the test database. The path parameters are drawn
from the records the access matrix builds as well as generated, so requests reach records that exist and not only
404s. Bounded: a few derandomised examples per operation and persona, no shrinking, no example database.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.access_matrix import ENTRIES
from tests.conftest import PERSONA_CODES, World

EXAMPLES_PER_OPERATION = 3
SEED = 20260409
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]

RUN = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    suppress_health_check=list(HealthCheck),
)


@contextmanager
def _sharing_connection() -> Iterator[None]:
    """Requests through Django's WSGI application share the test's database connection (and so its transaction),
    as Django's test client arranges: the connection is not closed when a request starts or finishes."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{([^}]+)\}", template)
    pattern = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts))
    return re.compile(f"^{pattern}$")


def _known_path_values(world: World, templates: list[str]) -> dict[str, list[dict[str, str]]]:
    """For each path template, the path parameters of the access matrix's API entries (real records)."""
    regexes = {template: _template_regex(template) for template in templates}
    found: dict[str, list[dict[str, str]]] = defaultdict(list)
    for entry in ENTRIES:
        if entry.page:
            continue
        path = entry.path(world).split("?", 1)[0]
        for template, regex in regexes.items():
            match = regex.match(path)
            if match and match.groupdict() and match.groupdict() not in found[template]:
                found[template].append(match.groupdict())
    return found


def test_every_operation_as_every_persona(world: World) -> None:
    tokens = {code: Token.objects.get_or_create(user=world.persona(code))[0].key for code in PERSONA_CODES}
    with _sharing_connection():
        # The schema exactly as the site serves it.
        schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application(),
                                                headers={"Authorization": f"Token {tokens['AD']}"})
        results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results), "every operation in the schema is one Schemathesis can read"
    known = _known_path_values(world, [operation.path for operation in operations])
    failures: list[str] = []
    tried: Counter[str] = Counter()

    def fuzz_one(operation: Any, code: str) -> None:
        headers = {"Authorization": f"Token {tokens[code]}"}
        strategy = st.one_of(operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                             operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))

        @seed(SEED)
        @RUN
        @given(case=strategy, pick=st.sampled_from([None, *known.get(operation.path, [])]))
        def fuzz(case: Any, pick: dict[str, str] | None) -> None:
            if pick is not None and case.path_parameters is not None:
                case.path_parameters.update(pick)
            tried[code] += 1
            response = case.call(headers=headers)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (AssertionError, BaseExceptionGroup) as failure:
                failures.append(f"{operation.label} as {code} -> {response.status_code}: {failure!r}"[:1500]
                                + "\n" + response.text[:300])

        fuzz()

    with _sharing_connection():
        for code in PERSONA_CODES:
            for operation in operations:
                fuzz_one(operation, code)

    assert len(operations) >= 50, "every endpoint is in the schema"
    assert all(tried[code] >= len(operations) for code in PERSONA_CODES)
    total = sum(tried.values())
    assert not failures, f"{len(failures)} of {total} requests failed:\n\n" + "\n\n".join(failures)
