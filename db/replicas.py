"""`ReadEngines`: which databases a request reads from, in preference order.

Healthy read replicas first (round-robin among them, so the load spreads), then the
primary. A replica is healthy when its last check answered with a lag of at most
`max_lag_seconds`; one lagging more, not answering, or not yet checked is skipped.
Each worker checks every replica once per `check_interval_seconds` in a background
task (`start`/`stop`, from the app's lifespan; without one, the first `order()` starts
it). Reads that must see the latest
committed state (the finalize mutation's) use `primary_only()`.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from backfill_gateway.db.errors import is_unavailable
from backfill_gateway.db.replica_lag import primary_wal_position, replica_lag_seconds

logger = logging.getLogger("gateway.db")

# A check that says "lagging" is confirmed once after this pause: a replica asked right
# after the primary wrote has not replayed it yet, although it is current.
_CONFIRM_AFTER_SECONDS = 0.2


def replica_label(url: str) -> str:
    """A replica's name in metrics and logs: hosts, ports and database, no credentials."""
    parsed = make_url(url)
    hosts = parsed.query.get("host")
    if hosts:
        where = ",".join(hosts) if isinstance(hosts, tuple) else hosts
    else:
        where = f"{parsed.host or ''}" + (f":{parsed.port}" if parsed.port else "")
    return f"{where}/{parsed.database or ''}"


@dataclass
class Replica:
    label: str
    engine: AsyncEngine
    # Seconds behind at the last check; None: not checked yet or did not answer.
    lag_seconds: float | None = None
    healthy: bool = False


class ReadEngines:
    def __init__(
        self,
        primary: AsyncEngine,
        replicas: Sequence[Replica] = (),
        *,
        max_lag_seconds: float = 30.0,
        check_interval_seconds: float = 5.0,
        check_timeout_seconds: float = 5.0,
    ) -> None:
        self.primary = primary
        self.replicas = list(replicas)
        self.max_lag_seconds = max_lag_seconds
        self.check_interval_seconds = check_interval_seconds
        self.check_timeout_seconds = check_timeout_seconds
        self._turn = itertools.count()
        self._monitor: asyncio.Task | None = None

    def order(self) -> tuple[AsyncEngine, ...]:
        """The engines one request reads from, in preference order; the primary last."""
        if self.replicas and self._monitor is None:
            # Without the app's lifespan (mounted in Airflow's api-server): start checking
            # now; until the first check answers, reads use the primary.
            self._start_monitor(first_wait=0)
        healthy = [replica.engine for replica in self.replicas if replica.healthy]
        if not healthy:
            return (self.primary,)
        first = next(self._turn) % len(healthy)
        return (*healthy[first:], *healthy[:first], self.primary)

    def primary_only(self) -> tuple[AsyncEngine, ...]:
        return (self.primary,)

    async def check(self) -> None:
        """Measure every replica's lag now and decide which are healthy."""
        if not self.replicas:
            return
        position = await self._primary_position()
        await asyncio.gather(*(self._check(replica, position) for replica in self.replicas))

    async def _primary_position(self) -> int | None:
        try:
            async with asyncio.timeout(self.check_timeout_seconds):
                return await primary_wal_position(self.primary)
        except TimeoutError:
            return None

    async def _check(self, replica: Replica, position: int | None) -> None:
        try:
            async with asyncio.timeout(self.check_timeout_seconds):
                lag = await replica_lag_seconds(replica.engine, position)
                if lag > self.max_lag_seconds:
                    await asyncio.sleep(_CONFIRM_AFTER_SECONDS)
                    position = await primary_wal_position(self.primary)
                    lag = await replica_lag_seconds(replica.engine, position)
        except Exception as error:
            if not (isinstance(error, TimeoutError) or is_unavailable(error)):
                logger.exception("checking replica %s failed", replica.label)
            self._set(replica, None)
            return
        self._set(replica, lag)

    def _set(self, replica: Replica, lag: float | None) -> None:
        healthy = lag is not None and lag <= self.max_lag_seconds
        if healthy != replica.healthy:
            if healthy:
                logger.info("replica %s is used for reads (lag %.1f s)", replica.label, lag)
            elif lag is None:
                logger.warning("replica %s does not answer: reads skip it", replica.label)
            else:
                shown = "unknown" if math.isinf(lag) else f"{lag:.1f} s"
                logger.warning(
                    "replica %s lags %s (limit %g s): reads skip it",
                    replica.label, shown, self.max_lag_seconds,
                )
        replica.lag_seconds = lag
        replica.healthy = healthy

    async def start(self) -> None:
        """Check once (so the first requests can use the replicas), then keep checking."""
        if not self.replicas or self._monitor is not None:
            return
        await self.check()
        self._start_monitor()

    def _start_monitor(self, first_wait: float | None = None) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no event loop here: the next caller in one starts it
            return
        # A context of its own: the task must not inherit a request's statement recording.
        self._monitor = asyncio.create_task(
            self._keep_checking(first_wait), context=contextvars.Context()
        )

    async def _keep_checking(self, first_wait: float | None = None) -> None:
        wait = self.check_interval_seconds if first_wait is None else first_wait
        while True:
            await asyncio.sleep(wait)
            wait = self.check_interval_seconds
            try:
                await self.check()
            except Exception:  # noqa: BLE001 - the monitor must outlive any one check
                logger.exception("replica check failed")

    async def stop(self) -> None:
        """Stop checking and close the replicas' connections (the primary is the app's)."""
        if self._monitor is not None:
            self._monitor.cancel()
            try:
                await self._monitor
            except asyncio.CancelledError:
                pass
            self._monitor = None
        for replica in self.replicas:
            await replica.engine.dispose()
