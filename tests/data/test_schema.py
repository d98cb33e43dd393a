import pandas as pd
import pytest

from salesops.data.schema import OPPORTUNITIES, REPS, TABLES, conform, empty_frame


def test_tables_in_dependency_order():
    names = list(TABLES)
    for table in TABLES.values():
        for fk in table.foreign_keys:
            assert names.index(fk.table) < names.index(table.name)
        assert set(table.key) <= set(table.column_names)


def test_empty_frame_has_canonical_dtypes():
    df = empty_frame(REPS)
    assert list(df.columns) == REPS.column_names
    assert str(df["hire_date"].dtype) == "datetime64[ns]"


def test_conform_casts_orders_and_keeps_extras():
    raw = pd.DataFrame({
        "extra": ["x"], "opportunity_id": ["O1"], "rep_id": ["R1"], "account_id": ["A1"],
        "product": ["Core"], "amount": ["1200.5"], "created_date": ["2026-01-02"],
        "close_date": ["2026-02-03"], "stage": ["Closed Won"], "status": ["won"],
        "forecast_category": [None], "probability": [1],
    })
    df = conform(raw, OPPORTUNITIES)
    assert list(df.columns) == OPPORTUNITIES.column_names + ["extra"]
    assert df["amount"].iloc[0] == 1200.5
    assert df["close_date"].iloc[0] == pd.Timestamp("2026-02-03")
    assert df["forecast_category"].isna().all()


def test_conform_names_missing_columns():
    with pytest.raises(KeyError, match="opportunities.*amount"):
        conform(pd.DataFrame({"opportunity_id": ["O1"]}), OPPORTUNITIES)
