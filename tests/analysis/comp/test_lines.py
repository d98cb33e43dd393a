import numpy as np

from salesops.analysis.comp.lines import KIND_CODES, NO_BALANCE, Lines


def test_lines_total_order_and_notes():
    lines = Lines(2, 2)  # 2 reps x 2 payout periods
    commission, cap, spif = KIND_CODES["commission"], KIND_CODES["cap"], KIND_CODES["spif"]
    lines.add(np.array([1, 0, 0]), np.array([0, 1, 0]), commission, np.array([500, 300, 200]))
    lines.add(np.array([0]), np.array([0]), cap, np.array([-150]), note="cap of 1,000")
    lines.add(np.array([1, 0]), np.array([0, 0]), spif, np.array([50, 75]), note=["a", None])
    # totals: rep 0 period 0 = 200 commission - 150 cap + 75 spif; rep 1 period 0 = 500 + 50
    assert lines.sum_by().tolist() == [[125, 300], [550, 0]]
    assert lines.sum_by(("commission", "cap")).tolist() == [[50, 300], [500, 0]]
    out = lines.ordered()
    # ordered by (rep, period, kind): r0p0 commission, cap, spif; r0p1 commission; r1p0 ...
    assert out["cents"].tolist() == [200, -150, 75, 300, 500, 50]
    assert out["kind"].tolist() == [commission, cap, spif, commission, commission, spif]
    notes = {v: k for k, v in lines.notes.items()}
    assert [notes.get(c) for c in out["note"]] == [None, "cap of 1,000", None, None, None, "a"]
    assert (out["balance"] == NO_BALANCE).all()
    assert np.isnan(out["rate"]).all()


def test_empty_parts_are_skipped():
    lines = Lines(1, 1)
    lines.add(np.array([], int), np.array([], int), 0, np.array([], int))
    assert lines.parts == [] and lines.column("cents").size == 0
