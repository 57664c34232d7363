-- SQL of one q2 request to gateway, from PostgreSQL's log

-- parameters: $1 = 'queued', $2 = 'running', $3 = '51'
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

-- parameters: $1 = '21', $2 = '1', $3 = '2', $4 = '3', $5 = '4', $6 = '5', $7 = '6', $8 = '7', $9 = '8', $10 = '9', $11 = '10', $12 = '11', $13 = '12', $14 = '13', $15 = '14', $16 = '15', $17 = '16', $18 = '17', $19 = '18', $20 = '19', $21 = '20', $22 = '21', $23 = '22', $24 = '23', $25 = '24', $26 = '25', $27 = '26', $28 = '27', $29 = '28', $30 = '29', $31 = '30', $32 = '31', $33 = '32', $34 = '33', $35 = '34', $36 = '35', $37 = '36', $38 = '37', $39 = '38', $40 = '39', $41 = '40', $42 = '41', $43 = '42', $44 = '43', $45 = '44', $46 = '45', $47 = '46', $48 = '47', $49 = '48', $50 = '49', $51 = '50'
SELECT parents.parent_id, parents.exists_up_to_after, parents.exists_from_before, page.id, page.backfill_id, page.dag_run_id, page.exception_reason, page.logical_date, page.partition_key, page.sort_ordinal, dag_run.id AS run_dag_run_id, dag_run.run_id AS run_run_id, dag_run.state AS run_state 
FROM (SELECT backfill.id AS parent_id, false AS exists_up_to_after, false AS exists_from_before 
FROM backfill 
WHERE backfill.id IN ($2::INTEGER, $3::INTEGER, $4::INTEGER, $5::INTEGER, $6::INTEGER, $7::INTEGER, $8::INTEGER, $9::INTEGER, $10::INTEGER, $11::INTEGER, $12::INTEGER, $13::INTEGER, $14::INTEGER, $15::INTEGER, $16::INTEGER, $17::INTEGER, $18::INTEGER, $19::INTEGER, $20::INTEGER, $21::INTEGER, $22::INTEGER, $23::INTEGER, $24::INTEGER, $25::INTEGER, $26::INTEGER, $27::INTEGER, $28::INTEGER, $29::INTEGER, $30::INTEGER, $31::INTEGER, $32::INTEGER, $33::INTEGER, $34::INTEGER, $35::INTEGER, $36::INTEGER, $37::INTEGER, $38::INTEGER, $39::INTEGER, $40::INTEGER, $41::INTEGER, $42::INTEGER, $43::INTEGER, $44::INTEGER, $45::INTEGER, $46::INTEGER, $47::INTEGER, $48::INTEGER, $49::INTEGER, $50::INTEGER, $51::INTEGER)) AS parents LEFT OUTER JOIN LATERAL (SELECT backfill_dag_run.id AS id, backfill_dag_run.backfill_id AS backfill_id, backfill_dag_run.dag_run_id AS dag_run_id, backfill_dag_run.exception_reason AS exception_reason, backfill_dag_run.logical_date AS logical_date, backfill_dag_run.partition_key AS partition_key, backfill_dag_run.sort_ordinal AS sort_ordinal 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id = parents.parent_id ORDER BY backfill_dag_run.sort_ordinal ASC, backfill_dag_run.id ASC 
 LIMIT $1::INTEGER) AS page ON true LEFT OUTER JOIN dag_run ON dag_run.id = page.dag_run_id ORDER BY parents.parent_id, page.sort_ordinal ASC, page.id ASC;

-- parameters: $1 = '1', $2 = '2', $3 = '3', $4 = '4', $5 = '5', $6 = '6', $7 = '7', $8 = '8', $9 = '9', $10 = '10', $11 = '11', $12 = '12', $13 = '13', $14 = '14', $15 = '15', $16 = '16', $17 = '17', $18 = '18', $19 = '19', $20 = '20', $21 = '21', $22 = '22', $23 = '23', $24 = '24', $25 = '25', $26 = '26', $27 = '27', $28 = '28', $29 = '29', $30 = '30', $31 = '31', $32 = '32', $33 = '33', $34 = '34', $35 = '35', $36 = '36', $37 = '37', $38 = '38', $39 = '39', $40 = '40', $41 = '41', $42 = '42', $43 = '43', $44 = '44', $45 = '45', $46 = '46', $47 = '47', $48 = '48', $49 = '49', $50 = '50'
SELECT backfill_dag_run.backfill_id, count(*) AS slot_count 
FROM backfill_dag_run 
WHERE backfill_dag_run.backfill_id IN ($1::INTEGER, $2::INTEGER, $3::INTEGER, $4::INTEGER, $5::INTEGER, $6::INTEGER, $7::INTEGER, $8::INTEGER, $9::INTEGER, $10::INTEGER, $11::INTEGER, $12::INTEGER, $13::INTEGER, $14::INTEGER, $15::INTEGER, $16::INTEGER, $17::INTEGER, $18::INTEGER, $19::INTEGER, $20::INTEGER, $21::INTEGER, $22::INTEGER, $23::INTEGER, $24::INTEGER, $25::INTEGER, $26::INTEGER, $27::INTEGER, $28::INTEGER, $29::INTEGER, $30::INTEGER, $31::INTEGER, $32::INTEGER, $33::INTEGER, $34::INTEGER, $35::INTEGER, $36::INTEGER, $37::INTEGER, $38::INTEGER, $39::INTEGER, $40::INTEGER, $41::INTEGER, $42::INTEGER, $43::INTEGER, $44::INTEGER, $45::INTEGER, $46::INTEGER, $47::INTEGER, $48::INTEGER, $49::INTEGER, $50::INTEGER) GROUP BY backfill_dag_run.backfill_id;
