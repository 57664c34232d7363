-- SQL of one q3 request to postgraphile, from PostgreSQL's log

-- parameters: $1 = '1995', $2 = '2'
select
__backfill__."id"::text as "0",
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
where
(__backfill_dag_run__."backfill_id" = __backfill__."id") and (__backfill_dag_run__."id" > $1::"int4")
order by __backfill_dag_run__."id" asc
limit 6)::text as "1"
from "public"."backfill" as __backfill__
where (__backfill__."id" = $2::"int4");
