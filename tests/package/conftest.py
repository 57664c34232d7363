"""The wheel, built once per test session for the tests of the installed package."""

from __future__ import annotations

import pytest

from tests.support.wheel import BuiltWheel, build_wheel
from tests.web.conftest import empty_database_url  # noqa: F401 - shared fixture


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory) -> BuiltWheel:
    return build_wheel(tmp_path_factory.mktemp("wheel"))
