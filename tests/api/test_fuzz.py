"""Property-based fuzzing of every documented operation against the served OpenAPI document:
no 5xx, and every documented response matches its schema. Bounded to stay inside `make test`."""

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

EXAMPLES_PER_OPERATION = 5
CHECKS = [not_a_server_error, response_schema_conformance]


def fuzz(operation, mode: GenerationMode, headers: dict) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()


def test_no_operation_fails_or_breaks_its_schema(app, fuzz_sign_in):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    failures = []
    for operation in operations:
        # A fresh token per operation: fuzzing DELETE /auth/token revokes the one it is given.
        headers = fuzz_sign_in()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                fuzz(operation, mode, headers)
            except Unsatisfiable:
                continue  # nothing invalid can be sent to an operation that takes no input
            except (Exception, BaseExceptionGroup) as error:  # every failure, not the first alone
                failures.append(f"{operation.label} [{mode.value}]: {error}")
    assert failures == [], "\n\n".join(failures)
