"""The scope grammar, audiences, slugs and the scoped, as-of view, on a hand-made dataset."""

import pandas as pd
import pytest

from salesops.data.asof import roster_as_of, snapshot
from salesops.data.schema import TABLES, conform, empty_frame
from salesops.data.scope import (
    Scope,
    audiences,
    parse_scope,
    read_scope_file,
    scoped_view,
    unique_slugs,
)
from salesops.data.store import Contents, Dataset

T = pd.Timestamp
NaT = pd.NaT
AS_OF = T("2026-02-15")


def table(table_name, **columns):
    spec = TABLES[table_name]
    return conform(pd.DataFrame(columns).reindex(columns=spec.column_names), spec)


def dataset(transactions=None) -> Dataset:
    """On AS_OF: R2 (team T9) is not hired yet, R3's termination (April) is not known yet, R4's
    hire date is unknown (counts as hired), R5 left in 2025 (still on the roster then)."""
    reps = table(
        "reps", rep_id=["R1", "R2", "R3", "R4", "R5"], name=["Ann", "Bo", "Cy", "Di", "Ed"],
        manager=["Max", "Max", "Mia", "Mia", "Max"], team=["T1", "T9", "T2", "T2", "T3"],
        region=["EMEA", "EMEA", "APAC", "APAC", "EMEA"], role=["AE"] * 5,
        hire_date=[T("2025-01-01"), T("2026-03-01"), T("2024-06-01"), NaT, T("2024-01-01")],
        termination_date=[NaT, NaT, T("2026-04-30"), NaT, T("2025-12-31")])
    accounts = table("accounts", account_id=["A1", "A2", "A3", "A4"],
                     name=["Acme", "Bolt", "Core", "Dyn"])
    # O2 closes after AS_OF (open then, in Proposal); O3 and O5 are created after it; O7 is R2's,
    # created before R2 is on the roster; O8 is still open today.
    opps = table(
        "opportunities", opportunity_id=[f"O{i}" for i in range(1, 9)],
        rep_id=["R1", "R1", "R2", "R3", "R4", "R5", "R2", "R1"],
        account_id=["A1", "A2", "A3", "A3", "A4", "A1", "A2", "A4"],
        amount=[100.0, 200.0, 10.0, 50.0, 70.0, 30.0, 40.0, 80.0],
        created_date=[T("2026-01-05"), T("2026-01-10"), T("2026-03-05"), T("2025-12-01"),
                      T("2026-02-16"), T("2025-06-01"), T("2026-01-01"), T("2026-02-01")],
        close_date=[T("2026-02-01"), T("2026-03-01"), T("2026-05-01"), T("2026-01-20"),
                    T("2026-04-01"), T("2025-11-30"), T("2026-01-31"), T("2026-04-30")],
        stage=["Closed Won", "Closed Won", "Prospecting", "Closed Lost", "Discovery",
               "Closed Won", "Closed Won", "Discovery"],
        status=["won", "won", "open", "lost", "open", "won", "won", "open"],
        forecast_category=[None, None, "pipeline", None, "commit", None, None, "commit"],
        probability=[1.0, 1.0, 0.1, 0.0, 0.3, 1.0, 1.0, 0.3])
    history = table(
        "stage_history",
        opportunity_id=["O1", "O1", "O2", "O2", "O2", "O4", "O4", "O6", "O7", "O8"],
        stage=["Prospecting", "Closed Won", "Prospecting", "Proposal", "Closed Won",
               "Prospecting", "Closed Lost", "Closed Won", "Closed Won", "Discovery"],
        entered_date=[T("2026-01-05"), T("2026-02-01"), T("2026-01-10"), T("2026-02-10"),
                      T("2026-03-01"), T("2025-12-01"), T("2026-01-20"), T("2025-11-30"),
                      T("2026-01-31"), T("2026-02-01")])
    quotas = table("quotas", rep_id=["R1", "R2", "R3", "R5"],
                   period_start=[T("2026-01-01"), T("2026-01-01"), T("2026-01-01"),
                                 T("2025-10-01")],
                   period_end=[T("2026-03-31"), T("2026-03-31"), T("2026-03-31"),
                               T("2025-12-31")],
                   quota_amount=[1000.0, 500.0, 800.0, 300.0])
    return Dataset(reps=reps, accounts=accounts, quotas=quotas, opportunities=opps,
                   stage_history=history, transactions=transactions)


def ids(frame, column):
    return sorted(frame[column])


def test_a_region_keeps_its_reps_known_then_their_deals_as_known_then_and_quotas():
    view = scoped_view(dataset(), AS_OF, "region=EMEA")
    assert view.scope == Scope("region", "EMEA") and view.as_of == AS_OF
    assert ids(view.reps, "rep_id") == ["R1", "R5"]  # R2 is hired on 2026-03-01
    # O1, O2 (R1) and O6 (R5); O7 belongs to R2, not on the roster yet; O8 is created 2026-02-01
    assert ids(view.deals, "opportunity_id") == ["O1", "O2", "O6", "O8"]
    deals = view.deals.set_index("opportunity_id")
    assert deals.loc["O2", ["status", "stage"]].tolist() == ["open", "Proposal"]  # won 03-01
    assert pd.isna(deals.loc["O2", "forecast_category"])  # unknown then
    assert view.quotas.set_index("rep_id")["quota_amount"].to_dict() == {"R1": 1000, "R5": 300}
    assert ids(view.accounts, "account_id") == ["A1", "A2", "A4"]
    # history up to AS_OF of O1, O2, O6, O8: O2's close (03-01) is not known yet
    assert len(view.stage_history) == 6 and view.stage_history["entered_date"].max() <= AS_OF
    assert list(view.open_now) == ["O8"]


def test_a_manager_sees_a_termination_only_once_it_is_known():
    view = scoped_view(dataset(), AS_OF, "manager=Mia")
    assert ids(view.reps, "rep_id") == ["R3", "R4"]  # R4: hire date unknown, counts as hired
    assert view.reps["termination_date"].isna().all()  # R3 leaves 2026-04-30: unknown then
    assert ids(view.deals, "opportunity_id") == ["O4"]  # O5 is created 2026-02-16
    assert ids(view.quotas, "rep_id") == ["R3"] and ids(view.accounts, "account_id") == ["A3"]
    # how far the data reaches back is the whole dataset's (O6, 2025-06-01), not Mia's (O4)
    assert view.history_start == T("2025-06-01")
    later = scoped_view(dataset(), T("2026-05-01"), "manager=Mia")
    assert later.reps.set_index("rep_id").loc["R3", "termination_date"] == T("2026-04-30")


def test_the_company_scope_is_the_whole_dataset_as_of_that_date():
    data = dataset()
    view = scoped_view(data, AS_OF)
    assert view.scope.is_company and scoped_view(data, AS_OF, "company").scope.is_company
    pd.testing.assert_frame_equal(view.reps, roster_as_of(data.reps, AS_OF))
    pd.testing.assert_frame_equal(
        view.deals, snapshot(data.opportunities, data.stage_history, data.catalogue, AS_OF))
    assert ids(view.deals, "opportunity_id") == ["O1", "O2", "O4", "O6", "O7", "O8"]
    assert len(view.stage_history) == 9  # all but O2's close on 03-01
    pd.testing.assert_frame_equal(view.accounts, data.accounts)
    assert ids(view.quotas, "rep_id") == ["R1", "R3", "R5"]  # R2 is not on the roster yet
    assert view.contents == data.contents and view.fingerprint == data.fingerprint


def test_unknown_value_lists_the_values_known_on_that_date():
    with pytest.raises(ValueError, match=r"^scope region=Mars matches no rep known on "
                                         r"2026-02-15; known region values: APAC, EMEA$"):
        scoped_view(dataset(), AS_OF, "region=Mars")
    with pytest.raises(ValueError, match="known team values: T1, T2, T3$"):  # T9: R2, later
        scoped_view(dataset(), AS_OF, "team=T9")
    assert ids(scoped_view(dataset(), T("2026-03-01"), "team=T9").reps, "rep_id") == ["R2"]


def test_unknown_column_lists_the_scope_columns():
    with pytest.raises(ValueError, match=r"^scope planet=X cannot be applied: 'planet' is not a "
                       r"column of the reps table \(scope columns: name, manager, team, "
                       r"region, role\)$"):
        scoped_view(dataset(), AS_OF, "planet=X")
    data = dataset()
    data.reps["team"] = pd.Series(pd.NA, index=data.reps.index, dtype="string")
    with pytest.raises(ValueError, match="the reps table has no team values; map a 'team' "
                                         "column at ingest or use the company scope"):
        scoped_view(data, AS_OF, "team=T1")


def test_transactions_follow_the_scope_dimension_or_are_left_out():
    tx = table("transactions", transaction_id=["X1", "X2", "X3"],
               date=[T("2026-01-10"), T("2026-01-12"), T("2026-03-01")],
               amount=[10.0, 20.0, 40.0], region=["EMEA", "APAC", "EMEA"],
               customer=["Acme", "Bolt", "Acme"])
    data = dataset(transactions=tx)
    assert ids(scoped_view(data, AS_OF, "region=EMEA").transactions, "transaction_id") == ["X1"]
    assert scoped_view(data, AS_OF, "manager=Max").transactions.empty  # no manager on orders
    assert ids(scoped_view(data, AS_OF).transactions, "transaction_id") == ["X1", "X2"]
    orders_only = Dataset(**{n: empty_frame(TABLES[n]) for n in TABLES if n != "transactions"},
                          transactions=tx, contents=Contents(frozenset({"transactions"})))
    view = scoped_view(orders_only, AS_OF, "region=APAC")
    assert ids(view.transactions, "transaction_id") == ["X2"] and view.reps.empty
    assert audiences(orders_only, "region", AS_OF) == [Scope("region", "APAC"),
                                                       Scope("region", "EMEA")]
    with pytest.raises(ValueError, match="matches no transaction by 2026-02-15; known region "
                                         "values: APAC, EMEA"):
        scoped_view(orders_only, AS_OF, "region=LATAM")


def test_a_view_is_its_own_company_view_and_cannot_be_rescoped():
    view = scoped_view(dataset(), AS_OF, "region=EMEA")
    assert scoped_view(view, AS_OF) is view and scoped_view(view, "2026-02-15", "region=EMEA") is view
    with pytest.raises(ValueError, match="a view of Region EMEA cannot be narrowed to Team T1"):
        scoped_view(view, AS_OF, "team=T1")
    with pytest.raises(ValueError, match="a view as of 2026-02-15 cannot be seen as of 2026-03-01"):
        scoped_view(view, "2026-03-01")


def test_parse_scope_grammar():
    for company in (None, "", "  ", "company", " Company "):
        assert parse_scope(company) == Scope() and Scope().label == "Company"
    assert parse_scope(" Manager = Jane Doe ") == Scope("manager", "Jane Doe")
    assert parse_scope("name=a=b").value == "a=b"  # the first '=' separates
    assert parse_scope("hire_cohort=2024") == Scope("hire_cohort", "2024")
    scope = Scope("region", "EMEA")
    assert parse_scope(scope) is scope and str(scope) == "region=EMEA"
    for bad in ("EMEA", "region=", "=EMEA", "re gion=EMEA", "all"):
        with pytest.raises(ValueError, match="scope must be 'company' or '<column>=<value>'"):
            parse_scope(bad)


def test_labels_and_ascii_slugs():
    assert Scope().slug == "" and Scope().is_company and not Scope("team", "T1").is_company
    assert Scope("region", "EMEA").label == "Region EMEA"
    assert Scope("team", "EMEA Team 1").slug == "team-emea-team-1"
    assert Scope("manager", "José Núñez").slug == "manager-jose-nunez"
    assert Scope("manager", "Zoë O'Brien-Smith").slug == "manager-zoe-o-brien-smith"
    assert Scope("hire_cohort", "2024").label == "Hire cohort 2024"
    assert Scope("hire_cohort", "2024").slug == "hire-cohort-2024"
    tokyo = Scope("team", "東京").slug  # nothing to transliterate: a short stable hash
    assert tokyo.startswith("team-x") and len(tokyo) == len("team-x") + 8
    assert tokyo == Scope("team", "東京").slug != Scope("team", "大阪").slug


def test_unique_slugs_resolve_collisions_whatever_the_order():
    scopes = [Scope("manager", "jane doe 2"), Scope("manager", "Jane-Doe"), Scope(),
              Scope("manager", "Jane Doe"), Scope("manager", "Jane Doe")]
    expected = {Scope(): "", Scope("manager", "Jane Doe"): "manager-jane-doe",
                Scope("manager", "Jane-Doe"): "manager-jane-doe-3",  # -2 is jane doe 2's own
                Scope("manager", "jane doe 2"): "manager-jane-doe-2"}
    assert unique_slugs(scopes) == expected == unique_slugs(list(reversed(scopes)))


def test_audiences_are_the_values_known_on_the_date():
    assert audiences(dataset(), "region", AS_OF) == [Scope("region", "APAC"),
                                                     Scope("region", "EMEA")]
    assert [s.value for s in audiences(dataset(), " Team ", AS_OF)] == ["T1", "T2", "T3"]
    assert [s.value for s in audiences(dataset(), "team", "2026-03-01")] == ["T1", "T2", "T3",
                                                                              "T9"]
    with pytest.raises(ValueError, match="'planet' is not a column of the reps table"):
        audiences(dataset(), "planet", AS_OF)


def test_read_scope_file(tmp_path):
    good = tmp_path / "scopes.txt"
    good.write_text("# audiences\n\nregion=EMEA\n  manager = Jane Doe  \ncompany\n",
                    encoding="utf-8")
    assert read_scope_file(good) == [Scope("region", "EMEA"), Scope("manager", "Jane Doe"),
                                     Scope()]
    cases = {"region=EMEA\nEMEA\n": "line 2: scope must be",
             "region=EMEA\n\nregion = EMEA\n": "line 3: scope region=EMEA repeats line 1",
             "# nothing\n\n": "no scope listed"}
    for text, message in cases.items():
        bad = tmp_path / "bad.txt"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(ValueError, match=f"bad.txt(, | |: ){message}"):
            read_scope_file(bad)


def with_history() -> Dataset:
    """dataset() with an opportunity history: O2 (R1, won Mar 1 at 200) was 150 expected Feb 20
    and moved to Proposal and commit on Feb 10, to 200 and Mar 1 on Feb 16; O8 (R1, open) was 90
    in pipeline, best case from Feb 15 18:00, 80 and commit from Feb 20; O4 is APAC's, O3 is
    created in March."""
    data = dataset()
    rows = [("O2", T("2026-01-10"), 150.0, T("2026-02-20"), "Prospecting", "pipeline"),
            ("O2", T("2026-02-10"), None, NaT, "Proposal", "commit"),
            ("O2", T("2026-02-16"), 200.0, T("2026-03-01"), None, None),
            ("O3", T("2026-03-05"), 10.0, T("2026-05-01"), "Prospecting", "pipeline"),
            ("O4", T("2025-12-01"), 50.0, T("2026-01-20"), "Prospecting", "pipeline"),
            ("O8", T("2026-02-01"), 90.0, NaT, "Discovery", "pipeline"),
            ("O8", T("2026-02-15 18:00"), None, NaT, None, "best_case"),
            ("O8", T("2026-02-20"), 80.0, NaT, None, "commit")]
    frame = pd.DataFrame(rows, columns=["opportunity_id", "changed_at", "amount", "close_date",
                                        "stage", "forecast_category"])
    data.opportunity_history = table("opportunity_history", **frame.to_dict("list"))
    return data


def test_a_view_with_history_shows_the_deals_and_their_changes_as_known_then():
    view = scoped_view(with_history(), AS_OF, "region=EMEA")
    # O2's and O8's rows known by the end of Feb 15 (the 18:00 change included); not O4 (APAC)
    rows = view.opportunity_history
    assert list(zip(rows["opportunity_id"], rows["changed_at"], strict=True)) == [
        ("O2", T("2026-01-10")), ("O2", T("2026-02-10")), ("O8", T("2026-02-01")),
        ("O8", T("2026-02-15 18:00"))]
    deals = view.deals.set_index("opportunity_id")
    cols = ["status", "amount", "close_date", "stage", "forecast_category"]
    # O2 on Feb 15: 150 expected Feb 20, Proposal and commit (the Feb 16 change comes later)
    assert deals.loc["O2", cols].tolist() == ["open", 150.0, T("2026-02-20"), "Proposal",
                                              "commit"]
    # O8: 90 in best case; its close date is never recorded: today's (Apr 30)
    assert deals.loc["O8", cols].tolist() == ["open", 90.0, T("2026-04-30"), "Discovery",
                                              "best_case"]
    company = scoped_view(with_history(), AS_OF)
    assert len(company.opportunity_history) == 5  # O2 x2, O4, O8 x2; O3's March row not yet
    assert company.opportunity_history["changed_at"].max() < AS_OF + pd.Timedelta(days=1)
