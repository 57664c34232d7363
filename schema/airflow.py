"""`Airflow`: which Airflow's metadata database the gateway reads."""

from __future__ import annotations

import strawberry


@strawberry.type(
    name="Airflow",
    description="The Airflow whose metadata database the gateway reads, detected once at "
    "start-up from the database itself (its alembic revision and the columns present).",
)
class AirflowInfo:
    version: str = strawberry.field(
        description='The Airflow release line the schema matches, e.g. "3.1" or "3.3". A '
        "database of a newer Airflow than the gateway knows reads as the newest known line, "
        "with the columns it has (fields recorded only by later versions are null)."
    )
    schema_revision: str | None = strawberry.field(
        description="The alembic revision Airflow stamped in `alembic_version`, e.g. "
        '"509b94a1042d" (Airflow 3.1.8).'
    )
