import pytest
from perf_handmade import handmade_dataset

from salesops.data.store import Dataset


@pytest.fixture
def dataset() -> Dataset:
    """The hand-made five-rep dataset (see perf_handmade.py)."""
    return handmade_dataset()
