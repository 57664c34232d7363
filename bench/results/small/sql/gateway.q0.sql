-- SQL of one q0 request to gateway, from PostgreSQL's log

-- parameters: $1 = '2'
SELECT backfill.id, backfill.dag_id, backfill.from_date, backfill.to_date, backfill.dag_run_conf, backfill.is_paused, backfill.reprocess_behavior, backfill.max_active_runs, backfill.created_at, backfill.completed_at, backfill.updated_at, backfill.triggering_user_name, NULL AS has_slots, NULL AS has_active_runs 
FROM backfill ORDER BY backfill.id ASC 
 LIMIT $1::INTEGER;
