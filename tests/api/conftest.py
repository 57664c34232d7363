import pytest

from tests.support.oracle import Oracle


@pytest.fixture(scope="session")
def oracle(demo_dataset) -> Oracle:
    return Oracle(demo_dataset)
