"""Benchmark: the performance review's metrics and the pipeline inspection on ~1M opportunities,
~500 reps and ~10M history rows vs DuckDB SQL.

Generates the data once (sample generator at scale 12.5, deals and their history replicated 4x
with shifted dates, quotas scaled to match, the history topped up to 10M rows with re-saves that
change no state) into benchmarks/.cache/, then times in the same run:
  * salesops: load the Parquet files and compute ``performance_review`` (every review metric);
    load them and compute the inspection (movement for both default windows, slippage, deals
    pushed often, category transitions), with its peak memory;
  * DuckDB: the same aggregates written as SQL over the same Parquet files.
Prints the times and ratios and checks that both sides agree on the inspection's results.
Usage: python benchmarks/bench_metrics.py [--repeat 3] [--part review|inspection|all]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from salesops.analysis.inspection.movement import STEPS, default_windows, movement
from salesops.analysis.inspection.slippage import category_transitions, pushed_often, slippage
from salesops.analysis.performance.review import performance_review
from salesops.data.history import timeline
from salesops.data.periods import FiscalCalendar
from salesops.data.sample import GENERATOR_VERSION, generate
from salesops.data.stages import load_catalogue
from salesops.data.store import Settings, load_dataset, write_dataset

CACHE = Path(__file__).resolve().parent / ".cache"
AS_OF = pd.Timestamp("2026-09-30")
SEED, SCALE, COPIES = 7, 12.5, 4
HISTORY_ROWS = 10_000_000


def build(folder: Path) -> Path:
    """Write the benchmark dataset once (Parquet, via the dataset store)."""
    if (folder / "opportunities.parquet").exists():
        return folder
    tables = generate(seed=SEED, end=AS_OF, scale=SCALE)
    dates = {"opportunities": ("created_date", "close_date"), "stage_history": ("entered_date",),
             "opportunity_history": ("changed_at", "close_date")}
    for name, columns in dates.items():
        frame = tables[name]
        # earlier dates only: nothing moves past the end date
        tables[name] = pd.concat([frame.assign(
            opportunity_id=frame["opportunity_id"] + f"-{k}",
            **{c: frame[c] - pd.Timedelta(days=k) for c in columns}) for k in range(COPIES)],
            ignore_index=True)
    tables["opportunity_history"] = top_up(tables["opportunity_history"], HISTORY_ROWS)
    tables["quotas"] = tables["quotas"].assign(quota_amount=tables["quotas"]["quota_amount"] * COPIES)
    return write_dataset(tables, folder, Settings(), load_catalogue())


def top_up(history: pd.DataFrame, rows: int) -> pd.DataFrame:
    """``history`` with re-saves added up to ``rows`` rows: a deal's current amount written
    again 30 s after one of its changes (the next change is at least a minute later), which
    changes no state, no push and no stage, as CRMs log records saved without a change."""
    if len(history) >= rows:
        return history
    states = timeline(history, ("amount",))
    can = np.flatnonzero(states["amount"].notna().to_numpy())
    extra = np.sort(np.random.default_rng(SEED).choice(can, rows - len(history), replace=False))
    resaved = pd.DataFrame({
        "opportunity_id": states["opportunity_id"].to_numpy()[extra],
        "changed_at": states["changed_at"].to_numpy()[extra] + np.timedelta64(30, "s"),
        "amount": states["amount"].to_numpy()[extra]})
    return pd.concat([history, resaved], ignore_index=True)


def run_salesops(folder: Path) -> tuple[float, float]:
    """Seconds to load the dataset and to compute the full review."""
    t0 = time.perf_counter()
    dataset = load_dataset(folder)
    t1 = time.perf_counter()
    performance_review(dataset, AS_OF, "quarter")
    return t1 - t0, time.perf_counter() - t1


def sql(folder: Path) -> list[str]:
    """The review's aggregates as DuckDB SQL (as of, quarter FY = calendar year)."""
    f = {t: f"read_parquet('{folder / (t + '.parquet')}')" for t in
         ("reps", "quotas", "opportunities", "stage_history")}
    a = f"DATE '{AS_OF:%Y-%m-%d}'"
    q0 = f"CAST(date_trunc('quarter', {a}) AS DATE)"
    return [
        f"""CREATE OR REPLACE TEMP VIEW deals AS
        SELECT o.opportunity_id, o.rep_id, o.amount, o.created_date, o.close_date, r.team,
               r.manager, r.region, r.hire_date, r.termination_date,
               CASE WHEN o.status <> 'open' AND o.close_date > {a} THEN 'open' ELSE o.status END AS status,
               date_diff('day', o.created_date, o.close_date) AS cycle
        FROM {f['opportunities']} o JOIN {f['reps']} r USING (rep_id)
        WHERE o.created_date <= {a} AND r.hire_date <= {a}""",
        f"""CREATE OR REPLACE TEMP VIEW q AS SELECT * FROM {f['quotas']}""",
        # rep level, current quarter, previous and last year to the same day, trailing 12 months
        *[f"""WITH w AS (SELECT CAST({s} AS DATE) ws, CAST({e} AS DATE) we, CAST({qs} AS DATE) qs,
                         CAST({qe} AS DATE) qe),
        agg AS (SELECT rep_id, any_value(team) team, any_value(manager) manager,
              any_value(region) region,
              sum(CASE WHEN status='won' AND close_date BETWEEN ws AND we THEN coalesce(amount,0) END)
                  bookings,
              count(*) FILTER (status='won' AND close_date BETWEEN ws AND we) won,
              count(*) FILTER (status='lost' AND close_date BETWEEN ws AND we) lost,
              sum(CASE WHEN status='lost' AND close_date BETWEEN ws AND we THEN coalesce(amount,0) END)
                  lost_amt,
              median(CASE WHEN status='won' AND close_date BETWEEN ws AND we THEN cycle END) cycle,
              sum(CASE WHEN created_date BETWEEN ws AND we THEN coalesce(amount,0) END) created,
              sum(CASE WHEN status='open' AND close_date BETWEEN qe + 1 AND qe + INTERVAL 3 MONTH
                  THEN amount END) next_pipe
              FROM deals, w GROUP BY rep_id),
        quota AS (SELECT rep_id, sum(quota_amount * (date_diff('day', greatest(period_start, qs),
                  least(period_end, qe)) + 1) / (date_diff('day', period_start, period_end) + 1)) quota
                  FROM q, w WHERE period_end >= qs AND period_start <= qe GROUP BY rep_id)
        SELECT *, bookings / nullif(quota, 0) att, won / nullif(won + lost, 0) win_rate
        FROM agg LEFT JOIN quota USING (rep_id)"""
          for s, e, qs, qe in (
              (q0, a, q0, f"{q0} + INTERVAL 3 MONTH - INTERVAL 1 DAY"),
              (f"{q0} - INTERVAL 3 MONTH", f"{a} - INTERVAL 3 MONTH", f"{q0} - INTERVAL 3 MONTH",
               f"{q0} - INTERVAL 1 DAY"),
              (f"{q0} - INTERVAL 12 MONTH", f"{a} - INTERVAL 12 MONTH",
               f"{q0} - INTERVAL 12 MONTH", f"{q0} - INTERVAL 9 MONTH - INTERVAL 1 DAY"),
              (f"{a} - INTERVAL 12 MONTH + INTERVAL 1 DAY", a,
               f"{a} - INTERVAL 12 MONTH + INTERVAL 1 DAY", a))],
        # rollups: team, manager, region, company (current quarter; medians from deals)
        *[f"""SELECT {g} AS grp, sum(CASE WHEN status='won' THEN amount END) bookings,
              count(*) FILTER (status='won') won, count(*) FILTER (status='lost') lost,
              avg(CASE WHEN status='won' THEN amount END) avg_deal,
              median(CASE WHEN status='won' THEN cycle END) cycle
              FROM deals WHERE close_date BETWEEN {q0} AND {a} AND status <> 'open' GROUP BY 1"""
          for g in ("team", "manager", "region", "'all'")],
        # trend: 8 quarters; consistency: rep x quarter (4) and rep x month (12) bookings, CV
        f"""SELECT date_trunc('quarter', close_date) qtr, sum(amount) FILTER (status='won') bookings,
            count(*) FILTER (status='won') won, count(*) FILTER (status='lost') lost,
            median(cycle) FILTER (status='won') cycle
            FROM deals WHERE status <> 'open' AND close_date >= {q0} - INTERVAL 21 MONTH GROUP BY 1""",
        f"""SELECT date_trunc('quarter', created_date) qtr, sum(amount) created FROM deals
            WHERE created_date >= {q0} - INTERVAL 21 MONTH GROUP BY 1""",
        f"""WITH m AS (SELECT rep_id, date_trunc('quarter', close_date) qtr, sum(amount) b FROM deals
            WHERE status='won' AND close_date >= {q0} - INTERVAL 24 MONTH GROUP BY 1, 2),
            qq AS (SELECT rep_id, period_start qtr, quota_amount FROM q)
            SELECT rep_id, count(*) FILTER (coalesce(b, 0) >= quota_amount) at_quota
            FROM qq LEFT JOIN m USING (rep_id, qtr) WHERE qtr >= {q0} - INTERVAL 24 MONTH
            GROUP BY rep_id""",
        f"""WITH m AS (SELECT rep_id, date_trunc('month', close_date) mon, sum(amount) b FROM deals
            WHERE status='won' GROUP BY 1, 2)
            SELECT rep_id, stddev_pop(b) / avg(b) cv, count(*) n FROM m
            WHERE mon >= date_trunc('month', {a}) - INTERVAL 12 MONTH GROUP BY rep_id""",
        # funnel over deals closed in the trailing 12 months: furthest stage, time in stage
        f"""CREATE OR REPLACE TEMP VIEW h AS
            SELECT h.opportunity_id, h.stage, h.entered_date, d.team, d.status,
                   CASE h.stage WHEN 'Prospecting' THEN 0 WHEN 'Qualification' THEN 1
                   WHEN 'Discovery' THEN 2 WHEN 'Proposal' THEN 3 WHEN 'Negotiation' THEN 4
                   WHEN 'Closed Won' THEN 5 ELSE 6 END AS ord
            FROM {f['stage_history']} h JOIN deals d USING (opportunity_id)
            WHERE d.status <> 'open' AND d.close_date > {a} - INTERVAL 12 MONTH
              AND h.entered_date <= {a}""",
        """WITH p AS (SELECT opportunity_id, any_value(team) team, any_value(status) status,
                  max(ord) FILTER (ord < 5) furthest FROM h GROUP BY 1),
            s AS (SELECT team, unnest([0, 1, 2, 3, 4]) st, furthest, status FROM p)
            SELECT team, st, count(*) FILTER (status = 'won' OR furthest >= st) reached,
                   count(*) FILTER (status = 'lost' AND furthest = st) lost FROM s GROUP BY 1, 2""",
        """WITH t AS (SELECT stage, ord, date_diff('day', entered_date, lead(entered_date) OVER
                  (PARTITION BY opportunity_id ORDER BY entered_date, ord)) d FROM h)
            SELECT stage, median(d), quantile_cont(d, 0.9) FROM t WHERE ord < 5 AND d IS NOT NULL
            GROUP BY 1""",
        f"""SELECT team, count(*) FILTER (status='open') open_deals,
            count(*) FILTER (status='won' AND close_date > {a} - INTERVAL 12 MONTH) won,
            count(*) FILTER (status='lost' AND close_date > {a} - INTERVAL 12 MONTH) lost,
            avg(amount) FILTER (status='won' AND close_date > {a} - INTERVAL 12 MONTH) size,
            median(cycle) FILTER (status='won' AND close_date > {a} - INTERVAL 12 MONTH) cycle
            FROM deals GROUP BY team""",
    ]


def run_duckdb(folder: Path) -> float:
    """Seconds for DuckDB to compute the same aggregates from the Parquet files into pandas."""
    con = duckdb.connect()
    t0 = time.perf_counter()
    for statement in sql(folder):
        result = con.execute(statement)
        if not statement.lstrip().startswith("CREATE"):
            result.df()
    elapsed = time.perf_counter() - t0
    con.close()
    return elapsed


CALENDAR = FiscalCalendar()
WINDOWS = default_windows(CALENDAR, AS_OF)
PERIOD = CALENDAR.period(AS_OF, "quarter")


def inspection(folder: Path) -> tuple[float, float, dict]:
    """Seconds to load the dataset and to compute the pipeline inspection (data as of AS_OF:
    the generator stops there, so today's tables are the as-of view), and the results."""
    t0 = time.perf_counter()
    ds = load_dataset(folder)
    t1 = time.perf_counter()
    opps, hist = ds.opportunities, ds.opportunity_history
    out: dict = {}
    for label, start, end in WINDOWS:
        out[f"bridge {label}"] = movement(opps, hist, start, end, PERIOD).bridge
        out[f"transitions {label}"] = category_transitions(opps, hist, start, end)
    out["slippage"] = slippage(opps, hist, ds.reps, CALENDAR, AS_OF).by_rep
    out["pushed"] = pushed_often(opps, hist, AS_OF)
    return t1 - t0, time.perf_counter() - t1, out


def inspection_sql(folder: Path) -> list[tuple[str, str]]:
    """The inspection's aggregates as DuckDB SQL: (name, statement); CREATE statements first."""
    f = {t: f"read_parquet('{folder / (t + '.parquet')}')" for t in
         ("reps", "opportunities", "opportunity_history")}
    day = lambda d: f"TIMESTAMP '{d:%Y-%m-%d}'"  # noqa: E731
    dates = sorted({d for _, s, e in WINDOWS for d in (s, e)})
    last = ",\n".join(
        f"arg_max({c}, changed_at) FILTER ({c} IS NOT NULL AND changed_at < {day(d)} + "
        f"INTERVAL 1 DAY) {c}_{d:%Y%m%d}" for d in dates
        for c in ("amount", "close_date", "forecast_category"))
    first = ", ".join(f"arg_min({c}, changed_at) FILTER ({c} IS NOT NULL) {c}_first"
                      for c in ("amount", "close_date", "forecast_category"))
    qs, qe = f"DATE '{PERIOD.start:%Y-%m-%d}'", f"DATE '{PERIOD.end:%Y-%m-%d}'"
    a = day(AS_OF)
    # state of each deal at the end of each date: last non-empty value by then, else its first
    # recorded value, else today's
    state = lambda c, d: f"coalesce({c}_{d:%Y%m%d}, {c}_first, o.{c})"  # noqa: E731
    cols = ",\n".join(
        f"{state(c, d)} {c}_{d:%Y%m%d}, o.created_date <= {day(d)} created_{d:%Y%m%d}, "
        f"o.status IN ('won', 'lost') AND o.close_date <= {day(d)} closed_{d:%Y%m%d}"
        if c == "amount" else f"{state(c, d)} {c}_{d:%Y%m%d}"
        for d in dates for c in ("amount", "close_date", "forecast_category"))
    statements = [
        ("", f"""CREATE OR REPLACE TEMP TABLE st AS SELECT o.opportunity_id, o.rep_id, o.status,
             o.amount, o.created_date, o.close_date, {cols}
             FROM {f['opportunities']} o LEFT JOIN (SELECT opportunity_id, {last}, {first}
             FROM {f['opportunity_history']} GROUP BY 1) h USING (opportunity_id)"""),
    ]
    for label, s, e in WINDOWS:
        S, E = f"{s:%Y%m%d}", f"{e:%Y%m%d}"
        statements.append(("", f"""CREATE OR REPLACE TEMP VIEW m{S} AS
            WITH d AS (SELECT *, created_{S} AND NOT closed_{S} AND close_date_{S} BETWEEN {qs} AND {qe}
                       AS in_s,
                       created_{E} AND NOT closed_{E} AND close_date_{E} BETWEEN {qs} AND {qe} AS in_e,
                       created_date > {day(s)} AS created, closed_{E} AND NOT closed_{S} AS closing,
                       CASE WHEN closed_{E} THEN close_date ELSE close_date_{E} END AS final_close
                       FROM st WHERE created_date <= {day(e)} AND NOT closed_{S}),
            c AS (SELECT *, CASE WHEN in_s THEN CAST(round(coalesce(amount_{S}, 0) * 100) AS BIGINT)
                            ELSE 0 END s_c,
                       CASE WHEN in_e THEN CAST(round(coalesce(amount_{E}, 0) * 100) AS BIGINT)
                            ELSE 0 END e_c
                  FROM d WHERE in_s OR in_e OR ((created OR closing)
                                                AND final_close BETWEEN {qs} AND {qe}))
            SELECT *, e_c - s_c AS change, CASE
                WHEN created THEN 'created' WHEN closing AND status = 'won' THEN 'won'
                WHEN closing AND status = 'lost' THEN 'lost' WHEN NOT in_s AND in_e THEN 'pulled_in'
                WHEN in_s AND NOT in_e THEN 'pushed_out' WHEN e_c > s_c THEN 'amount_up'
                WHEN e_c < s_c THEN 'amount_down'
                WHEN coalesce(forecast_category_{S}, '') <> coalesce(forecast_category_{E}, '')
                THEN 'category_changed' ELSE 'no_change' END AS reason FROM c"""))
        statements.append((f"bridge {label}", f"""
            SELECT 'start' step, sum(s_c) cents, count(*) FILTER (in_s) deals FROM m{S}
            UNION ALL SELECT reason, sum(change), count(*) FROM m{S} GROUP BY reason
            UNION ALL SELECT 'end', sum(e_c), count(*) FILTER (in_e) FROM m{S}"""))
        statements.append((f"transitions {label}", f"""
            SELECT coalesce(forecast_category_{S}, '(none)') "from",
                   CASE WHEN closed_{E} THEN status ELSE coalesce(forecast_category_{E}, '(none)')
                   END "to", count(*) deals, sum(coalesce(amount_{S}, 0)) amount
            FROM st WHERE created_{S} AND NOT closed_{S} GROUP BY 1, 2"""))
    quarters = [CALENDAR.shift(PERIOD if PERIOD.end == AS_OF else CALENDAR.previous(PERIOD), -k)
                for k in range(3, -1, -1)]
    values = ", ".join(f"('{q.label}', {day(q.start)}, {day(q.end)} + INTERVAL 1 DAY)"
                       for q in quarters)
    statements.append(("slippage", f"""
        WITH t AS (SELECT opportunity_id, changed_at,
                   last_value(close_date IGNORE NULLS) OVER w AS close,
                   last_value(forecast_category IGNORE NULLS) OVER w AS cat,
                   lead(changed_at) OVER w AS until
                   FROM {f['opportunity_history']} WHERE changed_at < {a} + INTERVAL 1 DAY
                   WINDOW w AS (PARTITION BY opportunity_id ORDER BY changed_at)),
        o AS (SELECT opportunity_id, rep_id, status,
              CASE WHEN status IN ('won', 'lost') THEN close_date END AS closed_on FROM st),
        i AS (SELECT t.*, o.rep_id, o.status, o.closed_on,
              least(coalesce(until, {a} + INTERVAL 1 DAY),
                    coalesce(closed_on + INTERVAL 1 DAY, {a} + INTERVAL 1 DAY)) AS ends
              FROM t JOIN o USING (opportunity_id) WHERE cat = 'commit'),
        c AS (SELECT DISTINCT i.opportunity_id, rep_id, label, status, closed_on, qe
              FROM i JOIN (VALUES {values}) q(label, qs, qe)
              ON close >= qs AND close < qe AND changed_at < qe AND ends > qs AND changed_at < ends)
        SELECT rep_id, count(*) committed,
               count(*) FILTER (NOT (status IN ('won', 'lost') AND closed_on < qe)) slipped
        FROM c GROUP BY rep_id"""))
    statements.append(("pushed", f"""
        WITH t AS (SELECT opportunity_id, close_date, lag(close_date) OVER (PARTITION BY
                   opportunity_id ORDER BY changed_at) prev FROM {f['opportunity_history']}
                   WHERE close_date IS NOT NULL AND changed_at < {a} + INTERVAL 1 DAY),
        p AS (SELECT opportunity_id, count(*) FILTER (close_date > prev) n FROM t GROUP BY 1)
        SELECT CASE WHEN coalesce(n, 0) >= 3 THEN 'Pushed 3+ times' ELSE 'The rest' END deals,
               count(*) closed, count(*) FILTER (status = 'won') won,
               coalesce(sum(amount) FILTER (status = 'won'), 0) won_amount
        FROM st LEFT JOIN p USING (opportunity_id)
        WHERE status IN ('won', 'lost') AND close_date <= {a} GROUP BY 1"""))
    return statements


def inspection_duckdb(folder: Path) -> tuple[float, dict]:
    """Seconds for DuckDB to compute the inspection's aggregates into pandas, and the results."""
    con = duckdb.connect()
    t0 = time.perf_counter()
    out = {}
    for name, statement in inspection_sql(folder):
        result = con.execute(statement)
        if name:
            out[name] = result.df()
    elapsed = time.perf_counter() - t0
    con.close()
    return elapsed, out


def agree(ours: dict, theirs: dict) -> None:
    """Assert that salesops and the SQL give the same bridges, matrices, slippage and pushes."""
    for label, _, _ in WINDOWS:
        bridge = ours[f"bridge {label}"].set_index("step")[["cents", "deals"]]
        sql_rows = theirs[f"bridge {label}"].set_index("step")
        names = dict(STEPS)
        for step, reason in names.items():
            key = step if reason is None else reason
            want = sql_rows.loc[key] if key in sql_rows.index else pd.Series({"cents": 0, "deals": 0})
            got = bridge.loc[step]
            assert (int(got["cents"]), int(got["deals"])) == (int(want["cents"]), int(want["deals"])), \
                (label, step, got.tolist(), want.tolist())
        matrix = ours[f"transitions {label}"]
        flows = theirs[f"transitions {label}"]
        counts = matrix["deals"].stack()
        counts = counts[counts > 0]
        sql_counts = flows.set_index(["from", "to"])["deals"]
        assert counts.sort_index().to_dict() == sql_counts.sort_index().to_dict(), label
    rep = ours["slippage"].set_index("rep_id")[["committed", "slipped"]].sort_index()
    sql_rep = theirs["slippage"].set_index("rep_id")[["committed", "slipped"]].sort_index()
    assert rep.astype(int).equals(sql_rep.astype(int)), "slippage by rep"
    pushed = ours["pushed"].set_index("deals")[["closed", "won"]].astype(int)
    sql_pushed = theirs["pushed"].set_index("deals")[["closed", "won"]].astype(int)
    assert pushed.equals(sql_pushed.loc[pushed.index]), "pushed often"


def peak_rss_gb() -> float:
    """Peak resident memory of this process so far (VmHWM), in GB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024 ** 2
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2


def reset_peak_rss() -> None:
    """Start a new peak-memory measurement (Linux: writing 5 to clear_refs resets VmHWM)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; best is kept")
    parser.add_argument("--part", choices=("review", "inspection", "all"), default="all",
                        help="which benchmark to run (both by default)")
    args = parser.parse_args()
    folder = build(CACHE / f"metrics_seed{SEED}_x{COPIES}_h{HISTORY_ROWS}_{AS_OF:%Y%m%d}"
                         f"_v{GENERATOR_VERSION}")
    ds = load_dataset(folder)
    print(f"data: {len(ds.opportunities):,} opportunities, {len(ds.reps):,} reps, "
          f"{len(ds.stage_history):,} stage changes, {len(ds.opportunity_history):,} history "
          f"rows; as of {AS_OF:%Y-%m-%d}")
    del ds
    if args.part != "inspection":
        review(folder, args.repeat)
    if args.part != "review":
        inspect(folder, args.repeat)


def review(folder: Path, repeat: int) -> None:
    """Time the performance review against its SQL."""
    ours = min((run_salesops(folder) for _ in range(repeat)), key=sum)
    total = sum(ours)
    print(f"salesops: load {ours[0]:.2f} s + review {ours[1]:.2f} s = {total:.2f} s", flush=True)
    duck = min(run_duckdb(folder) for _ in range(repeat))
    print(f"duckdb:   {duck:.2f} s (same aggregates as SQL over the Parquet files)")
    print(f"ratio salesops / duckdb: {total / duck:.2f}x (target <= 2x, salesops < 10 s)")


def inspect(folder: Path, repeat: int) -> None:
    """Time the pipeline inspection against its SQL, check they agree, report peak memory."""
    print(f"\ninspection: {WINDOWS[0][0]} and {WINDOWS[1][0]} of {PERIOD.label}, slippage over "
          "4 quarters, pushed 3+ times, category transitions", flush=True)
    runs = []
    for _ in range(repeat):
        reset_peak_rss()
        cpu = time.process_time()
        load, compute, results = inspection(folder)
        runs.append((load, compute, time.process_time() - cpu, peak_rss_gb()))
    load, compute, cpu, _ = min(runs, key=lambda r: r[0] + r[1])
    total = load + compute
    print(f"salesops: load {load:.2f} s + inspection {compute:.2f} s = {total:.2f} s "
          f"(CPU {cpu:.2f} s); peak memory {max(r[3] for r in runs):.2f} GB", flush=True)
    sql_runs = []
    for _ in range(repeat):
        cpu = time.process_time()
        sql_runs.append((*inspection_duckdb(folder), time.process_time() - cpu))
    duck, sql_results, duck_cpu = min(sql_runs, key=lambda r: r[0])
    print(f"duckdb:   {duck:.2f} s (CPU {duck_cpu:.2f} s; same aggregates as SQL over the "
          "Parquet files)")
    agree(results, sql_results)
    print("results agree (bridges to the cent, transition counts, slippage by rep, pushes)")
    print(f"ratio salesops / duckdb: {total / duck:.2f}x (target <= 2x, salesops < 15 s, "
          "peak < 6 GB)")


if __name__ == "__main__":
    main()
