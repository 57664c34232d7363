"""SQL over Airflow 2's tables (2.7 to 2.11): a backfill there is a `BackfillJob` row of `job`.

Airflow 2 has no `backfill` or `backfill_dag_run` table. A backfill is the `job` row that
`airflow dags backfill` writes for its own process, plus the runs it created
(`dag_run.creating_job_id`) and the runs it took over (its task instances'
`queued_by_job_id`). See /work/shared/airflow2/NOTES.md for how Airflow 2 records them.
"""
