"""The worker's subscriptions: grouped, fed by one change-detection poller.

Subscriptions with the same document, operation, variables and DAG scope form a `Group`:
the subscription runs once per group (one execution per change), and its results are
fanned out to every member. A member joining a running group first receives the group's
latest event of each backfill (no statement).

One `Poller` per worker, started with the first group and stopped with the last, runs the
change-detection statement (db/live_changes.py) every `live_poll_seconds` and hands each
group the ids that changed. So the statements per interval depend on what changed and on
the distinct subscriptions, never on the number of subscribers.

Every statement of the poller and the groups is recorded in `LiveHub.statements` (for the
metrics and the tests); none belongs to the request that opened a subscription.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.types.graphql import OperationType
from strawberry.utils.aio import aclosing

from backfill_gateway.db.airflow_schema import AirflowSchema, DetectedAirflowSchema
from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.db.errors import DatabaseUnavailable, is_unavailable
from backfill_gateway.db.live_changes import change_signatures, signatures_by_backfill
from backfill_gateway.db.session import ReadSession
from backfill_gateway.db.statements import StatementLog, recording_context
from backfill_gateway.resolvers.context import Caller
from backfill_gateway.resolvers.errors import SubscriptionLimit
from backfill_gateway.resolvers.live import (
    EVERYTHING,
    MAX_BACKFILLS_PER_BATCH,
    ChangeBatch,
    Everything,
    LiveContext,
)
from backfill_gateway.settings import Settings
from backfill_gateway.web.execution.error_codes import ensure_code
from backfill_gateway.web.execution.errors import (
    INTERNAL_SERVER_ERROR,
    PARSE_FAILED,
    SERVICE_UNAVAILABLE,
    VALIDATION_FAILED,
)

logger = logging.getLogger("gateway.live")

# Backfills completed or updated longer ago than this are not watched for changes of their
# runs (a new write to their row brings them back). Wide enough for clock skew.
WATCH_WINDOW = timedelta(minutes=10)
_END = object()
# Events a subscriber may leave unread (its connection too slow) before it is ended.
MAX_PENDING_EVENTS = 2 * MAX_BACKFILLS_PER_BATCH


@dataclass(frozen=True, slots=True)
class GroupKey:
    query: str
    operation_name: str | None
    variables: bytes  # canonical JSON
    dag_scope: DagScope | None


def group_key(query: str, variables: dict | None, operation_name: str | None, caller: Caller):
    canonical = orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS)
    return GroupKey(query, operation_name, canonical, caller.dag_scope)


def error_result(message: str, code: str) -> ExecutionResult:
    return ExecutionResult(
        data=None, errors=[GraphQLError(message, extensions={"code": code})]
    )


def unavailable_result(error: BaseException) -> ExecutionResult:
    message = getattr(error, "message", None) or "The database is unavailable."
    return error_result(message, SERVICE_UNAVAILABLE.code)


class Member:
    """One subscriber: what it has yet to receive."""

    __slots__ = ("queue", "dropped")

    def __init__(self) -> None:
        self.queue: asyncio.Queue = asyncio.Queue()
        self.dropped = False


class Group:
    """Identical subscriptions: one execution, its results fanned out; the change feed
    (resolvers.live.ChangeFeed) of that execution."""

    def __init__(self, hub: LiveHub, key: GroupKey, variables, caller: Caller, airflow) -> None:
        self.hub = hub
        self.key = key
        self.members: set[Member] = set()
        self.latest: dict[int, ExecutionResult] = {}
        self._batches: asyncio.Queue[ChangeBatch] = asyncio.Queue()
        self.idle = asyncio.Event()
        self._event_id: int | None = None
        self._outage_reported = False
        self.context = LiveContext(
            settings=hub.settings, engine=hub.engine, now=hub.clock(), airflow=airflow,
            caller=caller, feed=self, clock=hub.clock, order_reads=hub.read_engines,
        )  # fmt: skip
        self._variables = variables
        self.task = hub.spawn(self._run())

    # --- the change feed ---------------------------------------------------------------------
    async def next_batch(self) -> ChangeBatch:
        self.idle.set()
        batch = await self._batches.get()
        while not self._batches.empty():  # several polls' changes at once: one batch
            batch = _merge(batch, self._batches.get_nowait())
        self.idle.clear()
        return batch

    def event_for(self, backfill_id: int) -> None:
        self._event_id = backfill_id

    def read_done(self, gone) -> None:
        self._outage_reported = False
        for backfill_id in gone:
            self.latest.pop(backfill_id, None)

    def read_failed(self, error: DatabaseUnavailable) -> None:
        self.outage(error)

    # --- from the poller ---------------------------------------------------------------------
    def notify(self, batch: ChangeBatch) -> None:
        self.idle.clear()
        self._batches.put_nowait(batch)

    def outage(self, error: BaseException) -> None:
        if not self._outage_reported:
            self._outage_reported = True
            self._fan_out(unavailable_result(error))

    # --- members -----------------------------------------------------------------------------
    def join(self) -> Member:
        member = Member()
        for backfill_id in sorted(self.latest):
            member.queue.put_nowait(self.latest[backfill_id])
        self.members.add(member)
        return member

    def leave(self, member: Member) -> None:
        self.members.discard(member)

    def _fan_out(self, result) -> None:
        for member in self.members:
            if member.queue.qsize() >= MAX_PENDING_EVENTS:
                # A subscriber that does not read: dropped rather than buffered forever.
                if not member.dropped:
                    member.dropped = True
                    member.queue.put_nowait(error_result(
                        f"More than {MAX_PENDING_EVENTS} events were waiting for this "
                        "subscriber: it is ended.", SERVICE_UNAVAILABLE.code,
                    ))  # fmt: skip
                    member.queue.put_nowait(_END)
                continue
            member.queue.put_nowait(result)

    async def _run(self) -> None:
        key = self.key
        try:
            stream = await self.hub.schema.stream(
                key.query,
                variable_values=self._variables,
                context_value=self.context,
                operation_name=key.operation_name,
                allowed_operation_types=(OperationType.SUBSCRIPTION,),
            )
            async with aclosing(stream):
                first = True
                async for result in stream:
                    result = with_error_codes(result, first, self.hub.settings.max_query_tokens)
                    backfill_id, self._event_id = self._event_id, None
                    if isinstance(result, PreExecutionError) or (first and _is_request_error(result)):
                        self._fan_out(_as_pre_execution_error(result))
                        break
                    first = False
                    if backfill_id is not None:
                        self.latest[backfill_id] = result
                    self._fan_out(result)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a bug: the members get a masked error
            logger.exception("subscription group failed")
            self._fan_out(error_result("Internal server error", INTERNAL_SERVER_ERROR.code))
        finally:
            self.idle.set()
            for member in self.members:
                member.queue.put_nowait(_END)
            with suppress(Exception):
                await self.context.session.abort()

    async def stop(self) -> None:
        self.task.cancel()
        with suppress(asyncio.CancelledError, Exception):
            await self.task


def _merge(a: ChangeBatch, b: ChangeBatch) -> ChangeBatch:
    if isinstance(a, Everything) or isinstance(b, Everything):
        return EVERYTHING
    return a | b


def with_error_codes(result, pre_execution: bool, max_tokens: int):
    """Every error with its extensions.code (the ErrorCodes extension sees a subscription's
    errors only when it ends)."""
    if not result.errors:
        return result
    errors = []
    for error in result.errors:
        if pre_execution and not (error.extensions or {}).get("code"):
            from graphql import GraphQLSyntaxError

            if isinstance(error, GraphQLSyntaxError):
                error.extensions = {"code": PARSE_FAILED.code}
            elif error.original_error is None and error.path is None:
                error.extensions = {"code": VALIDATION_FAILED.code}
        errors.append(ensure_code(error, max_tokens))
    result.errors = errors
    return result


def _is_request_error(result) -> bool:
    # A limit or operation error raised before execution: no data, no error has a path.
    return result.data is None and bool(result.errors) and all(
        error.path is None for error in result.errors
    )


def _as_pre_execution_error(result) -> PreExecutionError:
    if isinstance(result, PreExecutionError):
        return result
    return PreExecutionError(data=None, errors=result.errors, extensions=result.extensions)


class LiveHub:
    """The worker's subscription groups and their change-detection poller."""

    def __init__(
        self, *, schema, settings: Settings, engine, airflow: DetectedAirflowSchema,
        clock: Callable[[], datetime],
        read_engines: Callable[[], Sequence[AsyncEngine]] | None = None,
    ) -> None:  # fmt: skip
        self.schema = schema
        self.settings = settings
        self.engine = engine
        # Where polls and re-reads go, asked anew each time (db.replicas.ReadEngines.order:
        # healthy replicas, then the primary); None: the primary only.
        self.read_engines = read_engines or (lambda: (engine,))
        self.airflow = airflow
        self.clock = clock
        self.groups: dict[GroupKey, Group] = {}
        self.statements = StatementLog()
        self._context = recording_context(self.statements)
        self._poller: asyncio.Task | None = None
        self._signatures: dict[int, tuple] | None = None
        self._in_outage = False
        self.polls = 0
        self.last_interval_statements = 0
        self.on_poll: Callable[[int], None] | None = None

    @property
    def subscriber_count(self) -> int:
        return sum(len(group.members) for group in self.groups.values())

    def spawn(self, coroutine) -> asyncio.Task:
        """A task recording into `statements` (not into the request that caused it)."""
        return asyncio.get_running_loop().create_task(coroutine, context=self._context.copy())

    async def subscribe(
        self, query: str, variables: dict | None, operation_name: str | None, caller: Caller,
    ) -> AsyncIterator[Any]:  # fmt: skip
        """The subscriber's results; raises SubscriptionLimit or DatabaseUnavailable."""
        if self.subscriber_count >= self.settings.max_subscriptions_per_worker:
            raise SubscriptionLimit(
                f"This worker holds {self.settings.max_subscriptions_per_worker} subscriptions, "
                "its limit (GATEWAY_MAX_SUBSCRIPTIONS_PER_WORKER); try again later."
            )
        key = group_key(query, variables, operation_name, caller)
        group = self.groups.get(key)
        if group is None or group.task.done():
            airflow = await self._airflow()
            group = self.groups[key] = Group(self, key, variables, caller, airflow)
        member = group.join()
        self._start_poller()
        return self._receive(group, member)

    async def _airflow(self) -> AirflowSchema:
        if self.airflow.current is not None:
            return self.airflow.current
        try:
            return await self.airflow.get()
        except Exception as error:
            if isinstance(error, TimeoutError) or is_unavailable(error):
                raise DatabaseUnavailable("The database is unavailable.") from error
            raise

    async def _receive(self, group: Group, member: Member) -> AsyncIterator[Any]:
        try:
            while True:
                result = await member.queue.get()
                if result is _END:
                    return
                yield result
        finally:
            group.leave(member)
            if not group.members:
                if self.groups.get(group.key) is group:
                    del self.groups[group.key]
                await group.stop()
            if not self.groups:
                await self._stop_poller()

    # --- the poller ------------------------------------------------------------------------------
    def _start_poller(self) -> None:
        if self._poller is None or self._poller.done():
            self._signatures = None
            self._poller = self.spawn(self._poll_forever())

    async def _stop_poller(self) -> None:
        poller, self._poller = self._poller, None
        if poller is not None and poller is not asyncio.current_task():
            poller.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await poller

    async def _poll_forever(self) -> None:
        while self.groups:
            await self._poll_once()
            await asyncio.sleep(self.settings.live_poll_seconds)

    async def poll_once(self) -> int:
        """One interval: detect changes, let every group process them; returns the
        statements sent in the meantime (by the poller and the groups)."""
        return await self.spawn(self._poll_once())

    async def _poll_once(self) -> int:
        before = self.statements.count
        changes = await self._detect()
        if changes is not None:
            notified = []
            for group in list(self.groups.values()):
                if isinstance(changes, Everything) or changes:
                    group.notify(changes)
                    notified.append(group)
            for group in notified:  # one interval's work ends before the next starts
                with suppress(TimeoutError):
                    async with asyncio.timeout(self.settings.request_timeout_seconds):
                        await group.idle.wait()
        self.polls += 1
        self.last_interval_statements = self.statements.count - before
        if self.on_poll is not None:
            self.on_poll(self.last_interval_statements)
        return self.last_interval_statements

    async def _detect(self) -> ChangeBatch | None:
        session = ReadSession(self.read_engines())
        try:
            airflow = await self._airflow()
            now = self.clock()
            grace = timedelta(seconds=self.settings.orphan_grace_period_seconds)
            statement, parameters = change_signatures(airflow, now - WATCH_WINDOW, now - grace)
            rows = await session.all(statement, parameters)
        except Exception as error:  # noqa: BLE001
            if not (isinstance(error, TimeoutError | DatabaseUnavailable) or is_unavailable(error)):
                logger.exception("change detection failed")
            self._in_outage = True
            for group in list(self.groups.values()):
                group.outage(error)
            return None
        finally:
            await session.close()
        signatures = signatures_by_backfill(rows)
        previous, self._signatures = self._signatures, signatures
        if previous is None:
            return None  # the first poll is the baseline: groups read their own initial state
        if self._in_outage:
            self._in_outage = False
            return EVERYTHING  # whatever happened meanwhile: every group re-reads
        return frozenset(
            backfill_id
            for backfill_id, signature in signatures.items()
            if previous.get(backfill_id) != signature
        )

    async def close(self) -> None:
        for group in list(self.groups.values()):
            await group.stop()
        self.groups.clear()
        await self._stop_poller()
