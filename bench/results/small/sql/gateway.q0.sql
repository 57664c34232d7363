-- SQL of one q0 request to gateway, from PostgreSQL's log

-- parameters: $1 = '2', $2 = 'queued', $3 = 'running'
SELECT backfill.id, backfill.dag_id, backfill.from_date, backfill.to_date, backfill.dag_run_conf, backfill.is_paused, backfill.reprocess_behavior, backfill.max_active_runs, backfill.created_at, backfill.completed_at, backfill.updated_at, backfill.triggering_user_name, EXISTS (SELECT * 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = backfill.id) AS has_slots, CASE WHEN (EXISTS (SELECT * 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = backfill.id)) THEN false ELSE EXISTS (SELECT * 
FROM dag_run 
WHERE dag_run.dag_id = backfill.dag_id AND dag_run.state IN ($2::VARCHAR, $3::VARCHAR) AND dag_run.backfill_id = backfill.id) END AS has_active_runs 
FROM backfill ORDER BY backfill.id ASC 
 LIMIT $1::INTEGER;
