"""Suite-wide settings: property tests are deterministic and never fail on timing.

The CI machines are shared and noisy, so hypothesis' per-example deadline is off, and examples
are derived from the test itself (derandomize) so that a failure reproduces on every run.

``pg_url`` is a PostgreSQL database for the database-source tests, a fresh schema per test:
``.ci/run`` starts a server and exports ``SALESOPS_TEST_PG_URL``; without it the tests skip
locally, and fail in CI (``CI=true``), where a missing server is a broken setup.
"""

import os
import uuid
from collections.abc import Iterator

import pytest
from hypothesis import settings

settings.register_profile("salesops", deadline=None, derandomize=True)
settings.load_profile("salesops")

PG_ENV = "SALESOPS_TEST_PG_URL"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """URL of an empty schema (first on the search path) that is dropped afterwards."""
    url = os.environ.get(PG_ENV)
    if not url:
        reason = (f"{PG_ENV} is not set: no PostgreSQL server to test the database source "
                  "against (.ci/run starts one)")
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(reason)
        pytest.skip(reason)
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    scoped = sa.make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield scoped.render_as_string(hide_password=False)
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()
