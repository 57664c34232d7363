-- SQL of one q1 request to postgraphile, from PostgreSQL's log

-- parameters: $1 = '1'
select
__backfill__."id"::text as "0",
__backfill__."dag_id" as "1",
to_char(__backfill__."from_date", 'YYYY-MM-DD"T"HH24:MI:SS.USTZH:TZM'::text) as "2",
to_char(__backfill__."to_date", 'YYYY-MM-DD"T"HH24:MI:SS.USTZH:TZM'::text) as "3",
__backfill__."is_paused"::text as "4",
to_char(__backfill__."completed_at", 'YYYY-MM-DD"T"HH24:MI:SS.USTZH:TZM'::text) as "5",
array(select array[
__backfill_dag_run__."id"::text,
__backfill_dag_run__."sort_ordinal"::text,
to_char(__backfill_dag_run__."logical_date", 'YYYY-MM-DD"T"HH24:MI:SS.USTZH:TZM'::text),
__backfill_dag_run__."exception_reason",
__dag_run__."id"::text,
__dag_run__."run_id",
__dag_run__."state"
]::text[]
from "public"."backfill_dag_run" as __backfill_dag_run__
left outer join "public"."dag_run" as __dag_run__
on (
/* WHERE becoming ON */ (__dag_run__."id" = __backfill_dag_run__."dag_run_id"))
where (__backfill_dag_run__."backfill_id" = __backfill__."id")
order by __backfill_dag_run__."id" asc
limit 51)::text as "6"
from "public"."backfill" as __backfill__
where (__backfill__."id" = $1::"int4");
