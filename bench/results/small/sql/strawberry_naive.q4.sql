-- SQL of one q4 request to strawberry_naive, from PostgreSQL's log

BEGIN;

-- parameters: $1 = '101', $2 = '0'
SELECT backfill.id, backfill.dag_id, backfill.from_date, backfill.to_date, backfill.dag_run_conf, backfill.is_paused, backfill.reprocess_behavior, backfill.max_active_runs, backfill.created_at, backfill.completed_at, backfill.updated_at, backfill.triggering_user_name 
FROM backfill ORDER BY backfill.id 
 LIMIT $1::INTEGER OFFSET $2::INTEGER;

ROLLBACK;
