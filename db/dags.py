"""SQL for Airflow's `dag` table (display name, pause state, owners)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select

from db.tables import dag

DAG_COLUMNS = (
    "dag_id", "dag_display_name", "is_paused", "is_stale", "owners", "description",
    "timetable_summary", "timetable_description", "max_active_runs", "fileloc", "bundle_name",
    "has_import_errors", "next_dagrun",
)  # fmt: skip


def dags_by_id(dag_ids: Sequence[str]) -> Select:
    return select(*(dag.c[name] for name in DAG_COLUMNS)).where(dag.c.dag_id.in_(dag_ids))
