"""Benchmark: the performance review's metrics on ~1M opportunities and ~500 reps vs DuckDB SQL.

Generates the data once (sample generator at scale 12.5, deals replicated 4x with shifted dates
and quotas scaled to match) into benchmarks/.cache/, then times in the same run:
  * salesops: load the Parquet files and compute ``performance_review`` (every review metric);
  * DuckDB: the same aggregates written as SQL over the same Parquet files.
Prints both times and their ratio. Usage: python benchmarks/bench_metrics.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb
import pandas as pd

from salesops.analysis.performance.review import performance_review
from salesops.data.sample import generate
from salesops.data.stages import load_catalogue
from salesops.data.store import Settings, load_dataset, write_dataset

CACHE = Path(__file__).resolve().parent / ".cache"
AS_OF = pd.Timestamp("2026-09-30")
SEED, SCALE, COPIES = 7, 12.5, 4


def build(folder: Path) -> Path:
    """Write the benchmark dataset once (Parquet, via the dataset store)."""
    if (folder / "opportunities.parquet").exists():
        return folder
    tables = generate(seed=SEED, end=AS_OF, scale=SCALE)
    opps, hist = tables["opportunities"], tables["stage_history"]
    opp_copies, hist_copies = [], []
    for k in range(COPIES):
        shift = pd.Timedelta(days=k)  # earlier dates only: nothing moves past the end date
        opp_copies.append(opps.assign(
            opportunity_id=opps["opportunity_id"] + f"-{k}",
            created_date=opps["created_date"] - shift, close_date=opps["close_date"] - shift))
        hist_copies.append(hist.assign(opportunity_id=hist["opportunity_id"] + f"-{k}",
                                       entered_date=hist["entered_date"] - shift))
    tables["opportunities"] = pd.concat(opp_copies, ignore_index=True)
    tables["stage_history"] = pd.concat(hist_copies, ignore_index=True)
    tables["quotas"] = tables["quotas"].assign(quota_amount=tables["quotas"]["quota_amount"] * COPIES)
    return write_dataset(tables, folder, Settings(), load_catalogue())


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; best is kept")
    args = parser.parse_args()
    folder = build(CACHE / f"metrics_seed{SEED}_x{COPIES}_{AS_OF:%Y%m%d}")
    ds = load_dataset(folder)
    print(f"data: {len(ds.opportunities):,} opportunities, {len(ds.reps):,} reps, "
          f"{len(ds.stage_history):,} stage changes; as of {AS_OF:%Y-%m-%d}")
    del ds
    ours = min((run_salesops(folder) for _ in range(args.repeat)), key=sum)
    total = sum(ours)
    print(f"salesops: load {ours[0]:.2f} s + review {ours[1]:.2f} s = {total:.2f} s", flush=True)
    duck = min(run_duckdb(folder) for _ in range(args.repeat))
    print(f"duckdb:   {duck:.2f} s (same aggregates as SQL over the Parquet files)")
    print(f"ratio salesops / duckdb: {total / duck:.2f}x (target <= 2x, salesops < 10 s)")


if __name__ == "__main__":
    main()
