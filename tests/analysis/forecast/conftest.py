import pandas as pd
import pytest

from salesops.data.schema import OPPORTUNITIES, STAGE_HISTORY, conform


def opp(oid, rep, created, close, stage, status, amount=100.0, category=None, prob=None):
    return {"opportunity_id": oid, "rep_id": rep, "account_id": "A1", "product": "P",
            "amount": amount, "created_date": created, "close_date": close, "stage": stage,
            "status": status, "forecast_category": category, "probability": prob}


@pytest.fixture
def tiny():
    """Four closed deals and two open ones, with their stage history (see test_pipeline)."""
    opps = pd.DataFrame([
        opp("W1", "R1", "2026-01-01", "2026-03-01", "Closed Won", "won", 100),
        opp("W2", "R1", "2026-01-01", "2026-02-10", "Closed Won", "won", 200),
        opp("L1", "R2", "2026-01-01", "2026-03-01", "Closed Lost", "lost", 300),
        opp("L2", "R2", "2026-01-01", "2026-02-20", "Closed Lost", "lost", 400),
        opp("O1", "R1", "2026-05-01", "2026-07-15", "Proposal", "open", 1000, "commit", 0.4),
        opp("O2", "R2", "2026-05-20", "2026-08-15", "Prospecting", "open", 500, "pipeline", 0.05),
    ])
    hist = pd.DataFrame([
        ("W1", "Prospecting", "2026-01-01"), ("W1", "Proposal", "2026-01-20"),
        ("W1", "Closed Won", "2026-03-01"),
        ("W2", "Prospecting", "2026-01-01"), ("W2", "Closed Won", "2026-02-10"),
        ("L1", "Prospecting", "2026-01-01"), ("L1", "Proposal", "2026-01-20"),
        ("L1", "Closed Lost", "2026-03-01"),
        ("L2", "Prospecting", "2026-01-01"), ("L2", "Closed Lost", "2026-02-20"),
        ("O1", "Prospecting", "2026-05-01"), ("O1", "Proposal", "2026-05-10"),
        ("O2", "Prospecting", "2026-05-20"),
    ], columns=["opportunity_id", "stage", "entered_date"])
    return conform(opps, OPPORTUNITIES), conform(hist, STAGE_HISTORY)
