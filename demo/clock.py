"""Time in the demo: every timestamp is anchored to `now`."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta


def _floor_day(t: datetime) -> datetime:
    return t.replace(hour=0, minute=0, second=0, microsecond=0)


def _floor_hour(t: datetime) -> datetime:
    return t.replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Clock:
    """Anchors every demo timestamp to `now`."""

    now: datetime

    def day(self, days_ago: int) -> datetime:
        """Midnight `days_ago` days before today."""
        return _floor_day(self.now) - timedelta(days=days_ago)

    def hour(self, hours_ago: int) -> datetime:
        """The full hour `hours_ago` hours before the current one."""
        return _floor_hour(self.now) - timedelta(hours=hours_ago)

    def ago(self, **delta: float) -> datetime:
        return self.now - timedelta(**delta)


def random_duration(rng: random.Random, low: float, high: float) -> timedelta:
    # Whole microseconds, so values survive every database unchanged.
    return timedelta(microseconds=rng.randrange(int(low * 1e6), int(high * 1e6)))
