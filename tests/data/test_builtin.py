import pandas as pd
import pytest

import salesops.data.sample as sample
from salesops.data.builtin import default_cache_dir, ensure_sample_dataset, sample_key
from salesops.data.sample import GENERATOR_VERSION
from salesops.data.store import load_dataset


def test_sample_dataset_is_built_once_then_served_from_cache(tmp_path, monkeypatch):
    path = ensure_sample_dataset(seed=3, end="2026-03-31", cache_dir=tmp_path)
    assert path == tmp_path / f"seed3_2026-03-31_v{GENERATOR_VERSION}" / "processed"
    ds = load_dataset(path)
    assert len(ds.reps) > 0 and ds.opportunities["close_date"].max() >= pd.Timestamp("2026-03-31")
    assert (path / "quarantine.csv").exists() and (path / "data_quality.json").exists()

    def boom(*args, **kwargs):
        raise AssertionError("regenerated although cached")

    monkeypatch.setattr(sample, "write_sample", boom)
    assert ensure_sample_dataset(seed=3, end="2026-03-31", cache_dir=tmp_path) == path


def test_cache_location_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SALESOPS_CACHE_DIR", str(tmp_path))
    assert default_cache_dir() == tmp_path
    assert sample_key(7, pd.Timestamp("2026-11-27")) == f"seed7_2026-11-27_v{GENERATOR_VERSION}"


def test_a_new_generator_version_gets_a_new_cache_folder(tmp_path, monkeypatch):
    # A sample cached by the previous generator (same seed and end) is not reused.
    old = tmp_path / sample_key(3, pd.Timestamp("2026-03-31")) / "processed"
    old.mkdir(parents=True)
    (old / "opportunities.parquet").write_bytes(b"")
    monkeypatch.setattr("salesops.data.builtin.GENERATOR_VERSION", GENERATOR_VERSION + 1)
    assert sample_key(3, pd.Timestamp("2026-03-31")).endswith(f"_v{GENERATOR_VERSION + 1}")

    def regenerate(out_dir, **kwargs):
        raise RuntimeError(f"regenerating into {out_dir}")

    monkeypatch.setattr(sample, "write_sample", regenerate)
    with pytest.raises(RuntimeError, match=f"_v{GENERATOR_VERSION + 1}"):
        ensure_sample_dataset(seed=3, end="2026-03-31", cache_dir=tmp_path)


def test_is_sample_dataset_knows_the_cache_from_any_other_folder(tmp_path):
    from salesops.data.builtin import is_sample_dataset

    cached = tmp_path / "cache" / sample_key(7, pd.Timestamp("2026-11-27")) / "processed"
    cached.mkdir(parents=True)
    own = tmp_path / "mine" / "processed"
    own.mkdir(parents=True)
    assert is_sample_dataset(None)  # no data folder: the runner's default
    assert is_sample_dataset(cached, cache_dir=tmp_path / "cache")
    assert not is_sample_dataset(own, cache_dir=tmp_path / "cache")
    assert not is_sample_dataset(cached, cache_dir=tmp_path / "elsewhere")
