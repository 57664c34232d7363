"""What every resolver of one request can reach: settings, clock, caller, data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import ReadSession
from resolvers.loaders import Loaders
from settings import Settings


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sent the request: a configured token's name and role, or anonymous."""

    name: str | None
    role: str | None

    @property
    def is_authenticated(self) -> bool:
        return self.name is not None


ANONYMOUS = Caller(None, None)


@dataclass
class RequestContext:
    settings: Settings
    engine: AsyncEngine
    now: datetime
    caller: Caller = ANONYMOUS
    request: Any = None
    session: ReadSession = field(init=False)
    # Per-request memo for work that depends only on the document (e.g. selections).
    memo: dict = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.session = ReadSession(self.engine)

    @property
    def orphan_cutoff(self) -> datetime:
        return self.now - timedelta(seconds=self.settings.orphan_grace_period_seconds)

    @cached_property
    def loaders(self) -> Loaders:
        return Loaders(self.session, self.orphan_cutoff)

    async def close(self) -> None:
        await self.session.close()
