-- SQL of one q4 request to postgraphile, from PostgreSQL's log

select
__backfill__."id"::text as "0",
__backfill__."dag_id" as "1",
to_char(__backfill__."from_date", 'YYYY-MM-DD"T"HH24:MI:SS.USTZH:TZM'::text) as "2",
to_char(__backfill__."to_date", 'YYYY-MM-DD"T"HH24:MI:SS.USTZH:TZM'::text) as "3",
__backfill__."dag_run_conf"::text as "4",
__backfill__."is_paused"::text as "5",
__backfill__."reprocess_behavior" as "6",
__backfill__."max_active_runs"::text as "7",
to_char(__backfill__."created_at", 'YYYY-MM-DD"T"HH24:MI:SS.USTZH:TZM'::text) as "8",
to_char(__backfill__."completed_at", 'YYYY-MM-DD"T"HH24:MI:SS.USTZH:TZM'::text) as "9",
to_char(__backfill__."updated_at", 'YYYY-MM-DD"T"HH24:MI:SS.USTZH:TZM'::text) as "10",
__backfill__."triggering_user_name" as "11"
from "public"."backfill" as __backfill__
order by __backfill__."id" asc
limit 100;
