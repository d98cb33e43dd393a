"""benchmarks/territories_bench.py: the synthetic book's shape and a small run end to end."""

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "territories_bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("territories_bench", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_synthetic_book(bench) -> None:
    accounts, territories = bench.synthesise(5_000)
    assert len(accounts) == 5_000 and accounts["account_id"].is_unique
    # 80 + 50 + 40 + 30 = 200 territories, each of its region.
    assert len(territories) == 200
    assert territories["region"].value_counts().to_dict() == bench.REGIONS
    assert 0.01 < accounts["territory"].isna().mean() < 0.03  # about 2% unassigned
    home = accounts.dropna(subset=["territory"]).merge(territories, on="territory")
    assert (home["region_x"] == home["region_y"]).all()
    assert set(accounts["workload"]) == {1.0, 2.0, 4.0}
    again, _ = bench.synthesise(5_000)
    assert again.equals(accounts)  # seeded


def test_a_small_run_prints_every_method_and_the_ratios(bench, monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "argv", ["territories_bench.py", "--accounts", "1000"])
    assert bench.main() == 0
    out = capsys.readouterr().out
    for line in ("greedy (potential)", "solver (potential)", "solver (+ workload 10%)",
                 "solver (potential) / greedy: max_dev_%", "targets (solver <= 2% max deviation"):
        assert line in out
