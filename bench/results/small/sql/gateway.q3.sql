-- SQL of one q3 request to gateway, from PostgreSQL's log

-- parameters: $1 = '995', $2 = '1995', $3 = '6', $4 = '2'
SELECT parents.parent_id, parents.exists_up_to_after, parents.exists_from_before, page.id, page.backfill_id, page.dag_run_id, page.exception_reason, page.logical_date, page.partition_key, page.sort_ordinal, dag_run.id AS run_dag_run_id, dag_run.run_id AS run_run_id, dag_run.state AS run_state 
FROM (SELECT backfill.id AS parent_id, EXISTS (SELECT 1 
FROM backfill_dag_run AS beyond_slot 
WHERE beyond_slot.backfill_id = backfill.id AND (beyond_slot.sort_ordinal, beyond_slot.id) <= ($1::INTEGER, $2::INTEGER)) AS exists_up_to_after, false AS exists_from_before 
FROM backfill 
WHERE backfill.id IN ($4::INTEGER)) AS parents LEFT OUTER JOIN LATERAL (SELECT backfill_dag_run.id AS id, backfill_dag_run.backfill_id AS backfill_id, backfill_dag_run.dag_run_id AS dag_run_id, backfill_dag_run.exception_reason AS exception_reason, backfill_dag_run.logical_date AS logical_date, backfill_dag_run.partition_key AS partition_key, backfill_dag_run.sort_ordinal AS sort_ordinal 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = parents.parent_id AND (backfill_dag_run.sort_ordinal, backfill_dag_run.id) > ($1::INTEGER, $2::INTEGER) ORDER BY backfill_dag_run.sort_ordinal ASC, backfill_dag_run.id ASC 
 LIMIT $3::INTEGER) AS page ON true LEFT OUTER JOIN dag_run ON dag_run.id = page.dag_run_id ORDER BY parents.parent_id, page.sort_ordinal ASC, page.id ASC;
