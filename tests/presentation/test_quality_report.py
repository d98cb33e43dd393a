import pandas as pd
from IPython.display import HTML

from salesops.analysis.hygiene import CHECKS, Hygiene
from salesops.data.quality import QualityReport
from salesops.data.requirements import AVAILABLE, Availability
from salesops.presentation import quality_report as qr

NaN = float("nan")

XSS = "<img src=x onerror=alert(1)>"


def report(quarantined: int) -> QualityReport:
    counts = pd.DataFrame({"table": ["reps", "opportunities"], "file": ["reps.csv", "opps.csv"],
                           "rows_in": [40, 19_960], "rows_kept": [40, 19_960 - quarantined],
                           "rows_quarantined": [0, quarantined], "blank_rows_skipped": [0, 0]})
    reasons = pd.DataFrame({"table": ["opportunities"] * 2, "check": ["bad_date", "unknown_stage"],
                            "problems": [quarantined - 1, 1]}) if quarantined else \
        pd.DataFrame(columns=["table", "check", "problems"])
    quarantine = pd.DataFrame({"table": ["opportunities"], "file": ["opps.csv"], "line": [7],
                               "column": ["stage"], "check": ["unknown_stage"],
                               "reason": [f"unknown stage '{XSS}'"]})
    return QualityReport(counts, reasons, quarantine.head(1 if quarantined else 0), ["w"])


def test_ingest_sentences_with_hand_counted_share():
    text = qr.ingest_sentences(report(5))
    # 5 of 40 + 19,960 = 20,000 rows = 0.025%: under 1%, so two decimals (5 / 20000 * 100 is
    # 0.025000000000000001 in binary, shown as 0.03%), never a misleading "0%".
    assert text[0].startswith("5 of 20,000 rows (0.03%) were quarantined")
    assert "bad date in opportunities (4) and unknown stage in opportunities (1)" in text[1]
    assert text[2] == "Loading left 1 note on the data, listed under Loading."
    clean = qr.ingest_sentences(report(0))
    assert clean[0] == "All 20,000 rows of the 2 tables passed validation; none was quarantined."
    one = report(0)
    one = QualityReport(one.counts.head(1), one.reasons, one.quarantine, ["a", "b"])
    assert qr.ingest_sentences(one) == [
        "All 40 rows of the reps table passed validation; none was quarantined.",
        "Loading left 2 notes on the data, listed under Loading."]
    assert qr.ingest_sentences(QualityReport(pd.DataFrame(), one.reasons, one.quarantine)) == [
        "This dataset was not loaded by salesops ingest, so no row counts were recorded."]


def result(amounts, flagged, by_rep, available=None, incomplete=None) -> Hygiene:
    """A hygiene result as the analysis returns it (only what presentation reads is filled):
    open deals d0, d1, ... with ``amounts``; ``flagged`` maps a check to the indices of the open
    deals failing it."""
    checks = list(CHECKS)
    summary = pd.DataFrame({"check": checks, "meaning": [CHECKS[c] for c in checks],
                            "deals": [len(flagged.get(c, ())) for c in checks]})
    issues = pd.DataFrame([{"opportunity_id": f"d{i}", "rep_id": "R1", "amount": amounts[i],
                            "check": c} for c, hits in flagged.items() for i in hits],
                          columns=["opportunity_id", "rep_id", "amount", "check"])
    av = {"hygiene": AVAILABLE, "stale": AVAILABLE, "no_forecast_category": AVAILABLE,
          "by_team": AVAILABLE, **(available or {})}
    return Hygiene(pd.DataFrame({"amount": amounts}), issues, summary,
                   pd.DataFrame(by_rep), incomplete if incomplete is not None else pd.DataFrame(),
                   av)


def rep(name="Ann", team="T1", value=250_000.0, share=0.25, deals=3, open_deals=8, left=None):
    return {"name": [name], "team": [team], "left": [pd.Timestamp(left)],
            "flagged_value": [value], "flagged_share": [share], "flagged_deals": [deals],
            "open_deals": [open_deals]}


def test_hygiene_sentences_name_counts_and_worst_rep():
    # 40 open deals x 50,000 = $2M, all amounts known; d0-d2 past due, d2-d3 stale: 4 deals
    # (10% of 40) flagged once each, 4 x 50,000 = $200K, 10% of the known open value
    text = qr.hygiene_sentences(result([50_000.0] * 40, {"past_due": [0, 1, 2],
                                                         "stale": [2, 3]}, rep()), 60)
    assert text == [
        "Of 40 open deals worth $2M, 4 (10%) need attention, worth $200K (10% of the known open "
        "value): 3 past their expected close date and 2 without a stage change for over 60 "
        "days (a deal can fail more than one check).",
        "Ann (T1) has the most flagged pipeline: $250K, 25% of their open value of known amount."]
    left = qr.hygiene_sentences(result([50_000.0] * 20, {"past_due": [0]},
                                       rep(left="2026-09-11")), 60)
    # one deal of 20 (5%), $50K of $1M: no "(a deal can fail...)"; the worst rep left in 2026-09
    assert left == [
        "Of 20 open deals worth $1M, 1 (5%) needs attention, worth $50K (5% of the known open "
        "value): 1 past their expected close date.",
        "Ann (T1, left 2026-09) has the most flagged pipeline: $250K, 25% of their open value "
        "of known amount."]


def test_hygiene_sentences_with_unknown_amounts_never_say_zero():
    # 4 open deals, 1 without amount: known value 100 + 200 + 300 = $600
    # d3 has no amount and no close date, d2 (300) no close date: 2 flagged, $300 known of $600
    text = qr.hygiene_sentences(result([100.0, 200.0, 300.0, NaN], {"no_amount": [3],
                                                                    "no_close_date": [2, 3]},
                                       rep(team=None, value=NaN, share=NaN, deals=2,
                                           open_deals=4)), 60)
    assert text == [
        "Of 4 open deals (3 worth $600; 1 of unknown value), 2 (50%) need attention, worth $300 "
        "(50% of the known open value): 2 without an expected close date and 1 without an "
        "amount (a deal can fail more than one check).",
        "A deal without an amount counts as a deal, but its value is unknown: it is left out of "
        "every value in this report, never counted as $0.",
        "Ann has the most flagged open deals: 2 of their 4."]  # no team: no '(None)'
    every = qr.hygiene_sentences(result([NaN, NaN], {"no_amount": [0, 1]}, rep(value=NaN)), 60)
    assert every[0] == ("Of 2 open deals (none with a known amount), 2 (100%) need attention: "
                        "2 without an amount.")
    assert not any("$0" in t.replace("never counted as $0", "") for t in every)


def test_hygiene_sentences_other_branches():
    none_flagged = rep(value=0.0, share=0.0, deals=0)
    assert qr.hygiene_sentences(result([10.0] * 3, {}, none_flagged), 60) == [
        "All 3 open deals pass the hygiene checks that the data allows."]
    assert qr.hygiene_sentences(result([10.0], {}, none_flagged), 60) == [
        "The only open deal passes the hygiene checks that the data allows."]
    one = qr.hygiene_sentences(result([10.0], {"stale": [0]}, rep(value=10.0, share=1.0)), 45)
    assert one[0] == ("Of 1 open deal worth $10, 1 (100%) needs attention, worth $10 (100% of "
                      "the known open value): 1 without a stage change for over 45 days.")
    assert qr.hygiene_sentences(result([], {}, none_flagged), 60) == [
        "There are no open deals on this date."]
    missing = Availability(False, "CRM hygiene of open deals cannot be shown: no deals.")
    assert qr.hygiene_sentences(result([], {}, none_flagged, {"hygiene": missing}), 60) == [
        missing.reason]


def test_skipped_checks_say_why_unless_hygiene_itself_is_missing():
    stale = Availability(False, "The stale-deal check cannot be shown: no stage history.")
    assert qr.skipped_sentences(result([1.0], {}, rep(), {"stale": stale})) == [stale.reason]
    off = Availability(False, "no deals")
    assert qr.skipped_sentences(result([], {}, rep(), {"hygiene": off, "stale": stale})) == []


def test_unknown_values_read_unknown_in_tables():
    summary = pd.DataFrame({"check": ["no_amount", "zero_amount"],
                            "meaning": [CHECKS["no_amount"], CHECKS["zero_amount"]],
                            "deals": [2, 1], "value": [NaN, 0.0], "unknown_value_deals": [2, 0],
                            "deal_share": [0.5, 0.25], "value_share": [NaN, 0.0]})
    html = qr.hygiene_table(summary).to_html()
    assert "unknown" in html and "$0" in html  # a zero amount is a true $0, unknown is not
    by_rep = pd.DataFrame({"name": ["Cy"], "team": [None], "open_deals": [1],
                           "open_value": [NaN], "unknown_value_deals": [1], "no_amount": [1],
                           "flagged_deals": [1], "flagged_value": [NaN], "flagged_share": [NaN]})
    html = qr.hygiene_rep_table(by_rep, ["no_amount"], show_team=False).data
    assert html.count(">unknown<") == 2 and "Team" not in html and "$0" not in html


def test_incomplete_deals_table_and_sentence():
    incomplete = pd.DataFrame({"name": [XSS], "opportunity_id": ["F"], "stage": ["Discovery"],
                               "reason": ["no amount and no expected close date"]})
    html = qr.incomplete_table(incomplete).data
    assert "&lt;img" in html and "no amount and no expected close date" in html
    assert qr.incomplete_sentence(incomplete) == (
        "1 open deal lacks an amount or an expected close date; ask its owner to complete it.")
    assert qr.incomplete_sentence(pd.concat([incomplete] * 3)) == (
        "3 open deals lack an amount or an expected close date; ask their owners to complete "
        "them.")
    assert qr.incomplete_sentence(incomplete.head(0)) == (
        "Every open deal has an amount and an expected close date.")


def test_team_chart_without_known_flagged_value_is_a_sentence():
    issues = pd.DataFrame({"rep_id": ["R1"], "check": ["no_amount"], "amount": [NaN]})
    reps = pd.DataFrame({"rep_id": ["R1"], "team": ["T1"]})
    out = qr.flagged_by_team_chart(issues, reps)
    assert isinstance(out, HTML) and "no flagged value to chart" in out.data


def test_contents_table_escapes_and_highlights_what_is_disabled():
    contents = pd.DataFrame({"table": ["Quotas"], "in_data": ["no"], "missing_columns": [""],
                             "disables": [f"Attainment; {XSS}"]})
    html = qr.contents_table(contents).to_html()
    assert "&lt;img" in html and "<img" not in html and "What your data has" in html


def test_quarantine_table_escapes_data_text():
    html = qr.quarantine_table(report(5)).to_html()
    assert "<img" not in html and "&lt;img src=x" in html and "opps.csv" in html


def test_a_scoped_report_says_what_it_covers_and_how_many_rows_it_does_not_list():
    from dataclasses import replace

    from salesops.data.scope import Scope

    emea = replace(report(5), scope=Scope("region", "EMEA"), unlisted=4)
    assert qr.ingest_sentences(emea)[0] == (
        "5 of 20,000 rows (0.03%) were quarantined and left out of every report; those "
        "attributable to Region EMEA are listed below, each with its file, line and reason.")
    assert qr.unlisted_sentence(emea) == ("4 other quarantined rows are not attributable to "
                                          "Region EMEA and not listed.")
    assert qr.unlisted_sentence(replace(emea, unlisted=1)).startswith("1 other quarantined row is")
    assert qr.unlisted_sentence(report(5)) is None
    assert qr.scope_sentences(1, Scope("manager", "Max")) == [
        "This report covers Manager Max (1 rep known on this date): hygiene, reps and "
        "quarantined rows are theirs only; the row counts of loading are for the whole dataset."]
    assert qr.scope_sentences(9, Scope()) == []


def test_rep_tables_say_top_n_of_m_and_mark_who_left():
    by_rep = pd.DataFrame({"name": [f"Rep {i}" for i in range(20)], "team": "T1",
                           "left": [pd.Timestamp("2026-09-11")] + [pd.NaT] * 19,
                           "open_deals": 2, "open_value": 100.0, "unknown_value_deals": 0,
                           "stale": 1, "past_due": 0, "flagged_deals": [1] * 18 + [0, 0],
                           "flagged_value": 50.0, "flagged_share": 0.5})
    html = qr.hygiene_rep_table(by_rep, ["past_due", "stale"], show_team=True).data
    # 18 reps with a flagged deal (two have none): the top 15 shown, all 18 expandable
    assert "Top 15 of 18 reps shown, by flagged value; all 18 are in the expandable table" in html
    assert "Rep 0 (left 2026-09)" in html and "Rep 19" not in html
    assert ">Stale<" in html and "Past due" not in html  # only the checks that flagged a deal
    incomplete = pd.DataFrame({"name": ["Ann", "Bo"], "left": [pd.NaT, pd.Timestamp("2026-05-02")],
                               "opportunity_id": ["A", "B"], "stage": "Discovery",
                               "reason": "no amount"})
    html = qr.incomplete_table(incomplete, max_rows=1).data
    assert "Top 1 of 2 deals shown, by owner" in html and "Bo (left 2026-05)" in html


def test_the_summary_states_the_as_of_date_and_headline_numbers():
    assert qr.as_of_sentence(pd.Timestamp("2026-12-01")) == (
        "The data as known on 2026-12-01: open deals, owners and stages on that date.")
    # 5 of 20,000 rows quarantined = 0.025% -> 0.03%; 40 open deals x 50,000, d0 and d1
    # flagged: 100,000 of 2,000,000 = 5%
    items = {h.key: h for h in qr.headline(result([50_000.0] * 40, {"stale": [0, 1]}, rep()),
                                           report(5), pd.Timestamp("2026-12-01"))}
    assert [(k, h.value, h.text) for k, h in items.items()] == [
        ("rows_in", 20000.0, "20,000"), ("rows_quarantined", 5.0, "5 (0.03%)"),
        ("open_flagged", 0.05, "5% ($100K)")]
    assert {h.period for h in items.values()} == {"2026-12-01"}
    assert qr.headline(result([1.0], {}, rep()), report(0), pd.Timestamp("2026-12-01"))[1].text \
        == "0 (0%)"
    assert {h.note for h in items.values() if h.key.startswith("rows")} == {""}


def test_a_scoped_cover_says_the_row_counts_are_the_whole_exports():
    from dataclasses import replace

    from salesops.data.scope import parse_scope
    scoped = replace(report(5), scope=parse_scope("region=EMEA"), unlisted=4)
    rows_in, quarantined = qr.headline(result([1.0], {}, rep()), scoped,
                                       pd.Timestamp("2026-12-01"))[:2]
    assert (rows_in.text, rows_in.note) == ("20,000", "the whole export, not only Region EMEA")
    assert quarantined.note == ("the whole export, not only Region EMEA; the report lists "
                                "Region EMEA's")


def test_team_chart_keys_every_colour_below_the_data_with_unclipped_totals():
    import io

    from matplotlib.colors import to_hex

    issues = pd.DataFrame({"rep_id": ["R1", "R1", "R2"], "check": ["past_due", "stale", "stale"],
                           "amount": [300_000.0, 200_000.0, 1_250_000.0]})
    reps = pd.DataFrame({"rep_id": ["R1", "R2"], "team": ["T1", "T2"]})
    fig = qr.flagged_by_team_chart(issues, reps)
    fig.savefig(io.BytesIO(), format="png")
    ax = fig.axes[0]
    coloured = {to_hex(p.get_facecolor()) for p in ax.patches if p.get_facecolor()[3] > 0}
    keyed = {to_hex(h.get_facecolor()) for legend in fig.legends for h in legend.legend_handles}
    assert coloured == keyed == {"#0072b2", "#e69f00"}  # past due, stale: house palette
    assert not any(legend.get_window_extent().overlaps(ax.get_window_extent())
                   for legend in fig.legends)
    # totals: T1 300,000 + 200,000 = $500K, T2 $1.2M (1,250,000 shows $1.2M, half to even)
    assert sorted(t.get_text() for t in ax.texts) == ["$1.2M", "$500K"]
    box = ax.get_window_extent()
    assert all(t.get_window_extent().x1 <= box.x1 for t in ax.texts)
