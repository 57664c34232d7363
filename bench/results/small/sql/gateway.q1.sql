-- SQL of one q1 request to gateway, from PostgreSQL's log

BEGIN;

ROLLBACK;

-- parameters: $1 = '1'
SELECT backfill.id, backfill.dag_id, backfill.from_date, backfill.to_date, backfill.dag_run_conf, backfill.is_paused, backfill.reprocess_behavior, backfill.max_active_runs, backfill.created_at, backfill.completed_at, backfill.updated_at, backfill.triggering_user_name, EXISTS (SELECT * 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = backfill.id) AS has_slots 
FROM backfill 
WHERE backfill.id IN ($1::INTEGER);

-- parameters: $1 = '51', $2 = '1'
SELECT page.id, page.backfill_id, page.dag_run_id, page.exception_reason, page.logical_date, page.partition_key, page.sort_ordinal, dag_run.id AS run_dag_run_id, dag_run.dag_id AS run_dag_id, dag_run.run_id AS run_run_id, dag_run.state AS run_state, dag_run.run_type AS run_run_type, dag_run.triggered_by AS run_triggered_by, dag_run.triggering_user_name AS run_triggering_user_name, dag_run.logical_date AS run_logical_date, dag_run.run_after AS run_run_after, dag_run.queued_at AS run_queued_at, dag_run.start_date AS run_start_date, dag_run.end_date AS run_end_date, dag_run.data_interval_start AS run_data_interval_start, dag_run.data_interval_end AS run_data_interval_end, dag_run.conf AS run_conf, dag_run.clear_number AS run_clear_number, dag_run.backfill_id AS run_backfill_id, dag_run.partition_key AS run_partition_key, dag_run.partition_date AS run_partition_date, dag_run.created_at AS run_created_at, dag_run.updated_at AS run_updated_at 
FROM (SELECT backfill_dag_run.id AS id, backfill_dag_run.backfill_id AS backfill_id, backfill_dag_run.dag_run_id AS dag_run_id, backfill_dag_run.exception_reason AS exception_reason, backfill_dag_run.logical_date AS logical_date, backfill_dag_run.partition_key AS partition_key, backfill_dag_run.sort_ordinal AS sort_ordinal, row_number() OVER (PARTITION BY backfill_dag_run.backfill_id ORDER BY backfill_dag_run.sort_ordinal ASC, backfill_dag_run.id ASC) AS position 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id IN ($2::INTEGER)) AS page LEFT OUTER JOIN dag_run ON dag_run.id = page.dag_run_id 
WHERE page.position <= $1::INTEGER ORDER BY page.backfill_id, page.position;
