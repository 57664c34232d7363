"""`resolvers.cached_property`: functools.cached_property's behaviour, without 3.11's lock.

Checked side by side with functools' own: computed once per instance, kept in the
instance's __dict__ (so popping it there recomputes, as RequestContext.read_from_primary
does with its loaders), the descriptor itself from the class, and its docstring kept.
"""

from __future__ import annotations

import functools
import sys

import pytest

from backfill_gateway.resolvers import cached_property as module
from backfill_gateway.resolvers.cached_property import cached_property


def make_class(decorator):
    class Holder:
        def __init__(self) -> None:
            self.computed = 0

        @decorator
        def value(self) -> int:
            """The value's docstring."""
            self.computed += 1
            return self.computed * 10

    return Holder


@pytest.mark.parametrize(
    "decorator",
    [pytest.param(functools.cached_property, id="functools"), pytest.param(cached_property, id="ours")],
)
def test_computed_once_per_instance_and_kept_in_its_dict(decorator):
    holder_class = make_class(decorator)
    first, second = holder_class(), holder_class()
    assert (first.value, first.value, first.computed) == (10, 10, 1)
    assert first.__dict__["value"] == 10
    assert (second.value, second.computed) == (10, 1)
    first.__dict__.pop("value")
    assert (first.value, first.computed) == (20, 2)
    assert isinstance(holder_class.value, decorator)
    assert holder_class.value.__doc__ == "The value's docstring."


def test_on_3_12_and_later_it_is_functools_own():
    if sys.version_info >= (3, 12):
        assert module.cached_property is functools.cached_property
    else:
        assert module.cached_property is not functools.cached_property
