"""What every resolver of one request can reach: settings, clock, caller, data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from backfill_gateway.db.airflow_schema import AirflowSchema
from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.db.session import ReadSession
from backfill_gateway.resolvers.airflow2.loaders import Airflow2Loaders
from backfill_gateway.resolvers.cached_property import cached_property
from backfill_gateway.resolvers.loaders import Loaders, SlotPageArgs
from backfill_gateway.resolvers.pagination import PageWindow, page_window
from backfill_gateway.settings import Settings

if TYPE_CHECKING:
    from backfill_gateway.resolvers.dag_permissions import DagRunPermissions


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sent the request: a configured token's name and role (or an Airflow user's
    name and mapped role), or anonymous.

    `dag_scope` is the DAGs the caller may see, None for all: every read and the finalize
    mutation apply it in SQL. `edit_scope` restricts what the caller may finalize further
    (an Airflow FAB user's editable DAGs); None adds no restriction. `permissions`, when
    set, decides per DAG what the caller may finalize (resolvers.dag_permissions).
    """

    name: str | None
    role: str | None
    dag_scope: DagScope | None = None
    edit_scope: DagScope | None = None
    permissions: DagRunPermissions | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.name is not None


ANONYMOUS = Caller(None, None)


@lru_cache(maxsize=8)
def _grace_period(seconds: float) -> timedelta:
    # Made once: timedelta(seconds=...) costs ~4k instructions, and a request asks for
    # its orphan cutoff several times.
    return timedelta(seconds=seconds)


@dataclass
class RequestContext:
    settings: Settings
    engine: AsyncEngine
    now: datetime
    # Which Airflow's schema the database has (detected once at start-up); every
    # statement is built for it.
    airflow: AirflowSchema
    caller: Caller = ANONYMOUS
    # What the request's reads use, in preference order (healthy read replicas, then
    # the primary: db.replicas.ReadEngines.order()); None: the primary `engine` only.
    read_engines: Sequence[AsyncEngine] | None = None
    # This request's backfill listings may take nodes PostgreSQL wrote: set by the HTTP
    # endpoint (its response writer, orjson, splices them; settings decide when).
    written_nodes_allowed: bool = False
    # ... and hand them over now (records.SerializedBackfill): set while the executor
    # that completes them runs (web.execution.fast_path).
    written_nodes: bool = False
    session: ReadSession = field(init=False)
    # `dagRuns` pages' windows and loader arguments by their arguments
    # (resolvers.dag_runs.slot_page_args), worked out once per request (until `close`).
    slot_page_args: dict[tuple, tuple[PageWindow, SlotPageArgs]] = field(
        default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        self.session = ReadSession(self.read_engines or (self.engine,))

    async def read_from_primary(self) -> None:
        """From now on read the primary only: for what decides on the latest committed
        state (the finalize mutation), never on a replica's possibly older copy."""
        if self.session.engines == (self.engine,):
            return
        previous, self.session = self.session, ReadSession((self.engine,))
        # The loaders hold the previous session (and what it read): start afresh.
        self.__dict__.pop("loaders", None)
        await previous.close()

    @property
    def is_airflow2(self) -> bool:
        return self.airflow.major == 2

    @property
    def orphan_cutoff(self) -> datetime:
        return self.now - _grace_period(self.settings.orphan_grace_period_seconds)

    def page_window(self, first, last, after, before, decode_cursor) -> PageWindow:
        """Connection arguments checked against the configured page sizes."""
        return page_window(
            first=first,
            last=last,
            after=after,
            before=before,
            default_page_size=self.settings.default_page_size,
            max_page_size=self.settings.max_page_size,
            decode_cursor=decode_cursor,
        )

    @cached_property
    def loaders(self) -> Loaders:
        if self.is_airflow2:
            return Airflow2Loaders(
                self.session, self.orphan_cutoff, self.airflow, self.caller.dag_scope
            )
        return Loaders(self.session, self.orphan_cutoff, self.airflow, self.caller.dag_scope)

    async def close(self) -> None:
        await self.session.close()
        # graphql-core's executor is a reference cycle (its async helpers are its own
        # bound methods) and it holds this context: without this, every record the
        # request's DataLoaders cached would wait for the cyclic GC instead of being
        # freed when the request ends.
        self.__dict__.pop("loaders", None)
        # A live context is closed and reused for each poll: it keeps no page it saw.
        self.slot_page_args.clear()
