"""Fuzz the JSON API against its own OpenAPI schema (schemathesis): whatever the
parameters, no 500 and no traceback. The planted warehouse with places; a few examples per
endpoint keep it to seconds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402

EXAMPLES = 15


@pytest.fixture(scope="module")
def api_schema(web_db: Path) -> Any:
    from icefacts.web.app import create_app
    from icefacts.web.state import Settings

    app = create_app(Settings(db=web_db, hosts=["testserver", "localhost", "127.0.0.1"]))
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def _fuzz(operation: Any, statuses: list[int]) -> list[str]:
    """Cases of ``operation`` that gave a 5xx or a traceback (as curl commands)."""
    found: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        response = case.call()
        statuses.append(response.status_code)
        if response.status_code >= 500 or "Traceback" in response.text:
            found.append(f"{response.status_code}: {case.as_curl_command()}")

    run()
    return found


def test_no_endpoint_gives_a_500(api_schema: Any) -> None:
    failures: list[str] = []
    statuses: list[int] = []
    operations = [r.ok() for r in api_schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        failures += _fuzz(operation, statuses)
    assert not failures, failures[:5]
    assert len(statuses) >= 3 * len(operations)  # the cases ran
    assert {s // 100 for s in statuses} >= {2, 4}  # answers and refusals both seen
