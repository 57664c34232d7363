"""`cached_property` without Python 3.11's lock.

On 3.11, `functools.cached_property` takes an RLock on every first access (1.75 us
against 0.6 without it), and a request's context and loaders make several of them.
Python 3.12 removed the lock (a per-request object is never shared between threads):
this is 3.12's behaviour, on 3.11 too.
"""

from __future__ import annotations

import sys

if sys.version_info >= (3, 12):
    from functools import cached_property
else:

    class cached_property:  # noqa: N801 - a drop-in for functools.cached_property
        """A value computed on first access and kept in the instance's `__dict__` (which
        answers every later access: this is a non-data descriptor)."""

        def __init__(self, func) -> None:
            self.func = func
            self.attrname: str | None = None
            self.__doc__ = func.__doc__

        def __set_name__(self, owner, name: str) -> None:
            self.attrname = name

        def __get__(self, instance, owner=None):
            if instance is None:
                return self
            value = instance.__dict__[self.attrname] = self.func(instance)
            return value


__all__ = ["cached_property"]
