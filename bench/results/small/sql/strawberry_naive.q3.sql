-- SQL of one q3 request to strawberry_naive, from PostgreSQL's log

BEGIN;

-- parameters: $1 = '2'
SELECT backfill.id, backfill.dag_id, backfill.from_date, backfill.to_date, backfill.dag_run_conf, backfill.is_paused, backfill.reprocess_behavior, backfill.max_active_runs, backfill.created_at, backfill.completed_at, backfill.updated_at, backfill.triggering_user_name 
FROM backfill 
WHERE backfill.id = $1::INTEGER;

ROLLBACK;

BEGIN;

-- parameters: $1 = '2', $2 = '6', $3 = '995'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

ROLLBACK;
