"""Scalars: date-times are ISO-8601 with an offset and always in UTC on output."""

from __future__ import annotations

from datetime import UTC, datetime

from strawberry.types.scalar import scalar


def serialize_datetime(value: datetime) -> str:
    return (value if value.tzinfo is UTC else value.astimezone(UTC)).isoformat()


def parse_datetime(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("DateTime must be an ISO-8601 string")
    parsed = datetime.fromisoformat(value)
    # A date-time without an offset is read as UTC, like Airflow's naive storage.
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


DateTime = scalar(
    name="DateTime",
    description="An ISO-8601 date-time with offset, in UTC on output, e.g. "
    "`2026-09-01T00:00:00+00:00`. An input without an offset is read as UTC.",
    serialize=serialize_datetime,
    parse_value=parse_datetime,
)
