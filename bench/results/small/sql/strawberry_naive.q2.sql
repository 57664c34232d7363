-- SQL of one q2 request to strawberry_naive, from PostgreSQL's log

BEGIN;

-- parameters: $1 = '51', $2 = '0'
SELECT backfill.id, backfill.dag_id, backfill.from_date, backfill.to_date, backfill.dag_run_conf, backfill.is_paused, backfill.reprocess_behavior, backfill.max_active_runs, backfill.created_at, backfill.completed_at, backfill.updated_at, backfill.triggering_user_name 
FROM backfill ORDER BY backfill.id 
 LIMIT $1::INTEGER OFFSET $2::INTEGER;

ROLLBACK;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

-- parameters: $1 = '1', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '3', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '4', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '5', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '2', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '8', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '10', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '7', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '12', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '13', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '15', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '11', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '6', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '9', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '16', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '14', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '17', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '19', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '18', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '20', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

-- parameters: $1 = '21', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '23', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '22', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '25', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '24', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '26', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '28', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '27', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '30', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '29', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '31', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '33', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '34', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '36', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '35', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '32', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '37', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '38', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '3'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '1'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

-- parameters: $1 = '41', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '43', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '42', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '45', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '44', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '46', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '48', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '47', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '49', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '50', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '2'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '4'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '6'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '10'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '9'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '5'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

BEGIN;

BEGIN;

-- parameters: $1 = '22'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '23'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

-- parameters: $1 = '37'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '38'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

-- parameters: $1 = '7'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '12'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '8'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '17'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '16'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '19'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '39', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '40', $2 = '21', $3 = '0'
SELECT backfill_dag_run.id, backfill_dag_run.backfill_id, backfill_dag_run.dag_run_id, backfill_dag_run.exception_reason, backfill_dag_run.logical_date, backfill_dag_run.partition_key, backfill_dag_run.sort_ordinal, dag_run_1.id AS id_1, dag_run_1.dag_id, dag_run_1.queued_at, dag_run_1.logical_date AS logical_date_1, dag_run_1.start_date, dag_run_1.end_date, dag_run_1.state, dag_run_1.run_id, dag_run_1.creating_job_id, dag_run_1.run_type, dag_run_1.triggered_by, dag_run_1.triggering_user_name, dag_run_1.conf, dag_run_1.data_interval_start, dag_run_1.data_interval_end, dag_run_1.run_after, dag_run_1.last_scheduling_decision, dag_run_1.log_template_id, dag_run_1.created_at, dag_run_1.updated_at, dag_run_1.clear_number, dag_run_1.backfill_id AS backfill_id_1, dag_run_1.bundle_version, dag_run_1.scheduled_by_job_id, dag_run_1.context_carrier, dag_run_1.span_status, dag_run_1.created_dag_version_id, dag_run_1.partition_key AS partition_key_1, dag_run_1.partition_date 
FROM backfill_dag_run LEFT OUTER JOIN dag_run AS dag_run_1 ON dag_run_1.id = backfill_dag_run.dag_run_id 
WHERE backfill_dag_run.backfill_id = $1::INTEGER ORDER BY backfill_dag_run.sort_ordinal 
 LIMIT $2::INTEGER OFFSET $3::INTEGER;

-- parameters: $1 = '18'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '20'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '27'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '25'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '21'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '24'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '28'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

-- parameters: $1 = '26'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

-- parameters: $1 = '29'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '31'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '30'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '32'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

BEGIN;

ROLLBACK;

ROLLBACK;

-- parameters: $1 = '34'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '35'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '33'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '11'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '36'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '13'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '14'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '15'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '43'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '44'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '41'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '45'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '47'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

BEGIN;

BEGIN;

BEGIN;

-- parameters: $1 = '42'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '39'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

BEGIN;

BEGIN;

-- parameters: $1 = '48'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '50'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

ROLLBACK;

-- parameters: $1 = '49'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

-- parameters: $1 = '40'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

-- parameters: $1 = '46'
SELECT count(*) AS count_1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = $1::INTEGER;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;

ROLLBACK;
