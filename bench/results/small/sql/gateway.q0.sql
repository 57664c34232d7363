-- SQL of one q0 request to gateway, from PostgreSQL's log

-- parameters: $1 = 'queued', $2 = 'running', $3 = '2'
SELECT backfill.id, backfill.dag_id, backfill.from_date, backfill.to_date, backfill.dag_run_conf, backfill.is_paused, backfill.reprocess_behavior, backfill.max_active_runs, backfill.created_at, backfill.completed_at, backfill.updated_at, backfill.triggering_user_name, (SELECT 1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = backfill.id 
 LIMIT 1) IS NOT NULL AS has_slots, CASE WHEN ((SELECT 1 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = backfill.id 
 LIMIT 1) IS NOT NULL) THEN false ELSE (SELECT 1 
FROM dag_run 
WHERE dag_run.dag_id = backfill.dag_id AND dag_run.state IN ($1::VARCHAR, $2::VARCHAR) AND dag_run.backfill_id = backfill.id 
 LIMIT 1) IS NOT NULL END AS has_active_runs 
FROM backfill ORDER BY backfill.id ASC 
 LIMIT $3::INTEGER;
