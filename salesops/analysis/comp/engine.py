"""The commission engine: deals -> credits per rep and measure -> attainment -> payout lines.

Every cent is a statement line (deal commission per tier slice, retroactive uplift, cap, SPIF,
clawback, true-up, guarantee, draw movement), so a rep's total for a period is the sum of its
lines. Vectorised with numpy over integer cents; see docs/comp-plans.md for the rules.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from salesops.analysis.comp.arrays import stable_order, take_strings
from salesops.analysis.comp.credits import deal_credits, index_in, validate_adjustments
from salesops.analysis.comp.lines import INCENTIVE_KINDS, KIND_CODES, KINDS, NO_BALANCE, Lines
from salesops.analysis.comp.plans import RATE_SCALE, RATE_UNITS, Measure, Plan, Tiers
from salesops.analysis.comp.tiers import (
    OPEN,
    band_of,
    group_cumsum,
    round_cents,
    slices,
    value_commission,
)
from salesops.data.periods import FiscalCalendar, Period

_FAR = np.datetime64("2262-01-01", "D")
_PAST = np.datetime64("1700-01-01", "D")
_DAY_NS = 86_400_000_000_000


@dataclass(frozen=True)
class CompInputs:
    """What the engine reads: canonical tables plus the optional comp inputs."""

    reps: pd.DataFrame
    quotas: pd.DataFrame
    opportunities: pd.DataFrame
    calendar: FiscalCalendar = field(default_factory=FiscalCalendar)
    splits: pd.DataFrame | None = None  # opportunity_id, rep_id, share
    adjustments: pd.DataFrame | None = None  # opportunity_id, date, kind, amount
    assignments: pd.DataFrame | None = None  # rep_id, start_date, end_date on this plan


@dataclass
class CompResult:
    """Statement lines plus the attainment and per-period summaries they come from."""

    plan: Plan
    lines: pd.DataFrame  # one row per statement line (amount_cents sums to each total)
    periods: pd.DataFrame  # one row per rep x payout period (start, end): targets, totals, balance
    attainment: pd.DataFrame  # one row per rep x measure x quota period
    outside_window: pd.DataFrame  # credits of eligible reps dated outside their window on plan
    ignored_adjustments: pd.DataFrame  # adjustments not clawed back, with the reason


@dataclass
class _Grid:
    """Month grid of the run and the rep x month facts every rule needs."""

    months: np.ndarray  # (M,) datetime64[D] month starts
    pp_of_month: np.ndarray  # (M,) payout period index
    qp_of_month: np.ndarray  # (M,) quota period index
    year_of_month: np.ndarray  # (M,) fiscal year index
    payout: list[Period]
    quota: list[Period]
    years: list[Period]
    active_days: np.ndarray  # (R, M)
    month_days: np.ndarray  # (M,)
    tenure: np.ndarray  # (R, M) months since hire month
    plan_tenure: np.ndarray  # (R, M) months since first month on the plan
    window: tuple[np.ndarray, np.ndarray]  # (R,) first and last day on the plan, datetime64[D]


# -- eligibility and grid --------------------------------------------------------------------

def eligible_reps(plan: Plan, reps: pd.DataFrame, assignments: pd.DataFrame | None) -> pd.DataFrame:
    """Reps the plan applies to (role, teams, ids), with their first/last day on the plan."""
    mask = pd.Series(True, index=reps.index)
    if plan.role is not None:
        mask &= reps["role"] == plan.role
    if plan.teams is not None:
        mask &= reps["team"].isin(plan.teams)
    if plan.rep_ids is not None:
        mask &= reps["rep_id"].isin(plan.rep_ids)
    out = reps.loc[mask].reset_index(drop=True)
    # an unknown hire date: on the plan for the whole run, never in a ramp (no guessed date)
    start = out["hire_date"].to_numpy("datetime64[D]")
    start = np.where(np.isnat(start), _PAST, start)
    end = out["termination_date"].to_numpy("datetime64[D]")
    end = np.where(np.isnat(end), _FAR, end)
    if assignments is not None:
        dup = assignments["rep_id"].duplicated()
        if dup.any():
            raise ValueError(f"assignments: row {int(np.flatnonzero(dup)[0])}, column 'rep_id': "
                             "one assignment window per rep and plan")
        a = assignments.set_index("rep_id").reindex(out["rep_id"])
        keep = a["start_date"].notna().to_numpy()
        a_start = pd.to_datetime(a["start_date"]).to_numpy("datetime64[D]")
        a_end = pd.to_datetime(a["end_date"]).to_numpy("datetime64[D]")
        start = np.where(keep, np.maximum(start, a_start), start)
        end = np.where(np.isnat(a_end), end, np.minimum(end, a_end))
        out, start, end = out.loc[keep].reset_index(drop=True), start[keep], end[keep]
    hire = out["hire_date"].to_numpy("datetime64[D]")
    return out.assign(employed_from=np.where(np.isnat(hire), _PAST, hire).astype("datetime64[ns]"),
                      plan_start=start.astype("datetime64[ns]"),
                      plan_end=end.astype("datetime64[ns]"))


def _grid(plan: Plan, reps: pd.DataFrame, cal: FiscalCalendar, start: pd.Timestamp,
          end: pd.Timestamp) -> _Grid:
    outer = "year" if plan.true_up else plan.quota_period
    first = cal.period(start, outer).start
    last = cal.period(end, plan.payout_period).end
    month_periods = cal.periods_between(first, last, "month")
    months = np.array([p.start for p in month_periods], dtype="datetime64[D]")
    ends = np.array([p.end for p in month_periods], dtype="datetime64[D]")

    def index(freq: str) -> tuple[list[Period], np.ndarray]:
        periods = cal.periods_between(first, last, freq)
        starts = np.array([p.start for p in periods], dtype="datetime64[D]")
        return periods, np.searchsorted(starts, months, side="right") - 1

    payout, pp = index(plan.payout_period)
    quota, qp = index(plan.quota_period)
    years, yp = index("year")
    p_start = reps["plan_start"].to_numpy("datetime64[D]")
    p_end = reps["plan_end"].to_numpy("datetime64[D]")
    lo = np.maximum(p_start[:, None], months[None, :])
    hi = np.minimum(p_end[:, None], ends[None, :])
    active = np.maximum((hi - lo).astype(np.int64) + 1, 0)

    def month_number(d: np.ndarray) -> np.ndarray:
        return d.astype("datetime64[M]").astype(np.int64)

    hire = reps["employed_from"].to_numpy("datetime64[D]")
    return _Grid(months, pp, qp, yp, payout, quota, years, active,
                 (ends - months).astype(np.int64) + 1,
                 month_number(months)[None, :] - month_number(hire)[:, None],
                 month_number(months)[None, :] - month_number(p_start)[:, None],
                 (p_start, p_end))


def _whole_cents(per_month: np.ndarray) -> np.ndarray:
    """(R, M) float cents as whole cents whose running total per rep is the rounded running
    total, so that months add up to every period's and the year's target to the cent."""
    running = np.round(np.cumsum(per_month, axis=1)).astype(np.int64)
    return np.diff(running, axis=1, prepend=0)


def _by_period(values: np.ndarray, period_of_month: np.ndarray, n: int) -> np.ndarray:
    """Sum a (R, M) rep x month array into (R, n) periods."""
    out = np.zeros((values.shape[0], n), dtype=values.dtype)
    np.add.at(out.T, period_of_month, values.T)
    return out


def _monthly_quota(plan: Plan, reps: pd.DataFrame, quotas: pd.DataFrame, g: _Grid) -> np.ndarray:
    """Rep x month quota in cents: table quotas spread evenly over their months, then prorated."""
    R, M = g.active_days.shape
    out = np.zeros((R, M))
    q = quotas.loc[quotas["rep_id"].isin(reps["rep_id"])]
    if len(q):
        r = pd.Index(reps["rep_id"]).get_indexer(q["rep_id"])
        m0 = q["period_start"].to_numpy("datetime64[M]").astype(np.int64)
        m1 = q["period_end"].to_numpy("datetime64[M]").astype(np.int64)
        per_month = q["quota_amount"].to_numpy(np.float64) * 100 / (m1 - m0 + 1)
        grid_m = g.months.astype("datetime64[M]").astype(np.int64)
        for k in range(int((m1 - m0).max()) + 1):
            idx = np.searchsorted(grid_m, m0 + k)
            ok = (m0 + k <= m1) & (idx < M)
            ok[ok] &= grid_m[idx[ok]] == (m0 + k)[ok]
            np.add.at(out, (r[ok], idx[ok]), per_month[ok])
    hire = reps["employed_from"].to_numpy("datetime64[D]")
    term = reps["termination_date"].to_numpy("datetime64[D]")
    term = np.where(np.isnat(term), _FAR, term)
    month_end = g.months + (g.month_days - 1).astype("timedelta64[D]")
    employed = np.maximum((np.minimum(term[:, None], month_end[None, :])
                           - np.maximum(hire[:, None], g.months[None, :])).astype(np.int64) + 1, 0)
    share_on_plan = np.divide(g.active_days, employed, out=np.zeros((R, M)), where=employed > 0)
    out *= share_on_plan
    if plan.prorate_quota:
        out *= employed / g.month_days
    if plan.ramp is not None and plan.ramp.quota_factors:
        factors = np.array([float(f) for f in plan.ramp.quota_factors])
        in_ramp = (g.tenure >= 0) & (g.tenure < plan.ramp.months)
        out = np.where(in_ramp, out * factors[np.clip(g.tenure, 0, plan.ramp.months - 1)], out)
    return out


# -- tiering -------------------------------------------------------------------------------

@dataclass
class _Rows:
    """Credit rows of one measure (sorted by rep, quota period, date, deal inside ``_tier``)."""

    src: np.ndarray  # index into the credits frame (-1 for none)
    rep: np.ndarray
    group: np.ndarray  # quota period (or year) index; month index before ``_grouped``
    pp: np.ndarray  # payout period index
    date: np.ndarray  # datetime64[D]
    units: np.ndarray  # int64 cents, or centi-deals for count measures


def _band_bounds(tiers: Tiers, q_g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(groups, bands) lower and upper band bounds in credit units for each group's quota."""
    lower_d = np.array([float(b.lower) for b in tiers.bands])
    upper_d = np.array([np.inf if b.upper is None else float(b.upper) for b in tiers.bands])
    finite_upper = np.where(np.isfinite(upper_d), upper_d, 0)
    if tiers.basis == "attainment":
        has_q = q_g[:, None] > 0
        lower = np.where(has_q, np.round(lower_d * q_g[:, None]), np.where(lower_d > 0, OPEN, 0))
        upper = np.where(has_q & np.isfinite(upper_d), np.round(finite_upper * q_g[:, None]),
                         OPEN)
        return lower.astype(np.int64), upper.astype(np.int64)
    lower = np.round(lower_d * 100).astype(np.int64)
    upper = np.where(np.isfinite(upper_d), np.round(finite_upper * 100), OPEN).astype(np.int64)
    shape = (q_g.size, lower.size)
    return np.broadcast_to(lower, shape), np.broadcast_to(upper, shape)


def _expand(n: int, per_row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Line -> row index when row i has ``per_row[i]`` lines, and each row's first line."""
    return np.repeat(np.arange(n), per_row), np.cumsum(per_row) - per_row


def _marginal(before: np.ndarray, after: np.ndarray, sign: np.ndarray | None, lower: np.ndarray,
              upper: np.ndarray, gkey: np.ndarray, j_before: np.ndarray,
              j_after: np.ndarray) -> tuple[np.ndarray, ...]:
    """(row, band, slice) of each marginal line, ordered by row then band.

    Most deals stay inside one band (one line each); only band-crossing deals are sliced.
    ``sign`` (deal scope) turns the slices of a negative credit negative.
    """
    n, B = before.size, lower.shape[1]
    if n and min(before.min(), after.min()) >= 0:
        amount = after - before  # bands are contiguous from 0: a move inside one is unclipped
    else:
        flat = gkey * B + j_after
        lo, hi = np.ravel(lower)[flat], np.ravel(upper)[flat]
        amount = np.minimum(np.maximum(after, lo), hi) - np.minimum(np.maximum(before, lo), hi)
    r2 = np.flatnonzero(j_before != j_after)
    if not r2.size:
        return np.arange(n), j_after, amount if sign is None else amount * sign
    sl = slices(before[r2], after[r2], lower[gkey[r2]], upper[gkey[r2]])
    keep = sl != 0
    keep[np.arange(r2.size), j_after[r2]] |= ~keep.any(axis=1)
    k2, j2 = np.nonzero(keep)
    per_row = np.ones(n, np.int64)
    per_row[r2] = keep.sum(axis=1)
    row, first = _expand(n, per_row)
    band, amount = j_after[row], amount[row]
    at = first[r2[k2]] + np.arange(k2.size) - np.searchsorted(k2, k2)
    band[at], amount[at] = j2, sl[k2, j2]
    return row, band, amount if sign is None else amount * sign[row]


def _group_credit(units: np.ndarray, start: np.ndarray, gkey: np.ndarray, size: int) -> np.ndarray:
    """Total credit of each (rep, group) key from rows sorted by key (``start``: first rows)."""
    out = np.zeros(size, np.int64)
    first = np.flatnonzero(start)
    if first.size:
        out[gkey[first]] = np.add.reduceat(units, first)
    return out


def _tier(measure: Measure, rows: _Rows, quota: np.ndarray, ti: np.ndarray,
          in_progress: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Commission lines of one measure; ``quota``/``ti`` are (R, groups) in cents;
    ``in_progress`` marks groups not ended by the run's end (below threshold: held, not lost)."""
    tiers, n = measure.tiers, rows.units.size
    G = quota.shape[1]
    day = rows.date.view(np.int64)
    day0 = int(day.min()) if n else 0
    # one stable sort on (rep and group, day); ties keep input order (credits in data order)
    gkey = rows.rep.astype(np.int32, copy=False) * G + rows.group.astype(np.int32, copy=False)
    day = np.subtract(day, day0, out=np.empty(n, np.int32), casting="unsafe")
    order = stable_order(gkey, day)
    gkey = np.take(gkey, order)
    rep = gkey // G
    rows = _Rows(np.take(rows.src, order), rep, gkey - rep * G, np.take(rows.pp, order),
                 np.take(rows.date, order), np.take(rows.units, order))
    start = np.ones(n, bool)
    start[1:] = gkey[1:] != gkey[:-1]
    after = group_cumsum(rows.units, start) if n else rows.units
    before = after - rows.units
    q_g = np.round(quota).astype(np.int64).ravel()
    lower, upper = _band_bounds(tiers, q_g)
    if tiers.scope == "deal":
        sign, b0, a0 = np.where(rows.units < 0, -1, 1), np.zeros(n, np.int64), np.abs(rows.units)
    else:
        sign, b0, a0 = None, before, after
    rate_ppm = np.array([int(b.rate * RATE_SCALE) for b in tiers.bands], dtype=np.int64)
    if tiers.rate_unit == "target_incentive":
        factor = np.divide(ti.ravel() * float(measure.weight), q_g, out=np.zeros(q_g.size),
                           where=q_g > 0)

    def pay(row: np.ndarray, amount: np.ndarray, ppm: np.ndarray, rate: np.ndarray) -> np.ndarray:
        """Cents of ``amount`` at ``ppm`` (= ``rate`` as a fraction)."""
        if tiers.rate_unit == "value":
            return value_commission(amount, ppm)
        return round_cents(amount * rate * factor[gkey[row]])

    bounds = [0] + [lower[:, b][gkey] for b in range(1, lower.shape[1])]  # band 0 from 0
    j_after, j_before = band_of(a0, bounds), band_of(b0, bounds)
    if tiers.method == "marginal":
        row, band, amount = _marginal(b0, a0, sign, lower, upper, gkey, j_before, j_after)
        kind = np.int8(KIND_CODES["commission"])
        ppm = rate_ppm[band]
        shown = ppm / RATE_SCALE
        cents = pay(row, amount, ppm, shown)
    else:
        retro = j_after != j_before
        row, first = _expand(n, 1 + retro)
        uplift = np.zeros(row.size, bool)
        uplift[first[retro] + 1] = True
        band = j_after[row]
        amount = np.where(uplift, b0[row], rows.units[row])
        kind = np.where(uplift, KIND_CODES["retro_uplift"], KIND_CODES["commission"]).astype(np.int8)
        ppm = rate_ppm[band] - np.where(uplift, rate_ppm[j_before[row]], 0)
        shown = ppm / RATE_SCALE
        cents = pay(row, amount, ppm, shown)
    pp = rows.pp[row]
    note = None
    if measure.threshold > 0 and n:
        thr = np.round(float(measure.threshold) * q_g).astype(np.int64)[gkey]
        ok = after >= thr
        group_first = np.flatnonzero(start)
        first_ok = np.minimum.reduceat(np.where(ok, np.arange(n), n), group_first)
        held = ~ok[row]
        cross = np.repeat(first_ok, np.diff(group_first, append=n))[row]
        released = held & (cross < n)
        pp = np.where(released, rows.pp[np.minimum(cross, n - 1)], pp)
        forfeit = held & (cross == n)
        cents = np.where(forfeit, 0, cents)
        thr_label = f"{float(measure.threshold):.0%}"
        notes = [(released, f"held below the {thr_label} threshold, released when it was "
                  "reached"), (forfeit, f"not paid: attainment below the {thr_label} threshold")]
        if in_progress is not None and in_progress.any() and forfeit.any():
            pending = forfeit & in_progress[rows.group[row]]
            notes[1:] = [(forfeit & ~pending, notes[1][1]),
                         (pending, f"held: below the {thr_label} threshold so far (the quota "
                          "period is in progress)")]
        codes, texts = np.full(row.size, -1, np.int8), []
        for which, text in notes:
            if which.any():
                codes[which] = len(texts)
                texts.append(text)
        note = pd.Categorical.from_codes(codes, texts, validate=False)
    return {"src": rows.src[row], "rep": rows.rep[row], "pp": pp, "date": rows.date[row],
            "kind": kind, "band": band, "credit": amount, "rate": shown, "cents": cents,
            "note": note, "line_row": row, "rows": rows,
            "group_credit": _group_credit(rows.units, start, gkey, quota.size)}


# -- the run -------------------------------------------------------------------------------

def _fraction_reversed(adj: pd.DataFrame) -> np.ndarray:
    """Share of the deal each adjustment reverses: cancellations all, refunds pro rata; <= 100%."""
    raw = np.where(adj["kind"].to_numpy() == "cancelled", 1.0, np.divide(
        adj["amount"].to_numpy(np.float64), adj["deal_amount"].to_numpy(np.float64),
        out=np.ones(len(adj)), where=adj["deal_amount"].to_numpy() > 0))
    cum = np.minimum(pd.Series(raw).groupby(adj["_credit"].to_numpy()).cumsum().to_numpy(), 1.0)
    prev = np.minimum(cum - raw, 1.0)
    return np.maximum(cum - np.maximum(prev, 0.0), 0.0)


def _adjustments(plan: Plan, inputs: CompInputs, credits: pd.DataFrame, g: _Grid,
                 last_day: np.datetime64) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Adjustments matched to credited deals within the clawback window, and the ignored ones."""
    if inputs.adjustments is None or plan.clawback is None or not len(inputs.adjustments):
        empty = pd.DataFrame(columns=["opportunity_id", "date", "kind", "amount", "reason"])
        return pd.DataFrame(), empty
    adj = validate_adjustments(inputs.adjustments)
    hit = np.flatnonzero(index_in(credits["opportunity_id"], adj["opportunity_id"].unique()) >= 0)
    adjusted = credits[["opportunity_id", "close_date", "amount_cents"]].iloc[hit].assign(
        _credit=hit)
    matched = adj.merge(adjusted, on="opportunity_id", how="left")
    matched["deal_amount"] = matched["amount_cents"] / 100
    days = (matched["date"] - matched["close_date"]).dt.days
    reason = np.select(
        [matched["_credit"].isna(), ~matched["kind"].isin(plan.clawback.kinds),
         days < 0, days > plan.clawback.window_days,
         matched["date"].to_numpy("datetime64[D]") > last_day],
        ["deal not credited under this plan in the run", "kind not clawed back by the plan",
         "dated before the deal closed", f"outside the {plan.clawback.window_days}-day window",
         "after the end of the run"], default="")
    ignored = matched.loc[reason != "", ["opportunity_id", "date", "kind", "amount"]].assign(
        reason=reason[reason != ""]).drop_duplicates(["opportunity_id", "date", "kind", "amount"])
    used = matched.loc[reason == ""].sort_values(["_credit", "date"]).reset_index(drop=True)
    used["_credit"] = used["_credit"].astype(np.int64)
    used["fraction"] = _fraction_reversed(used)
    month = np.searchsorted(g.months, used["date"].to_numpy("datetime64[D]"), side="right") - 1
    used["pp"] = g.pp_of_month[month]
    return used, ignored.reset_index(drop=True)


@dataclass
class _Deals:
    """Credits of eligible reps inside their window on the plan, with their rep and month index."""

    frame: pd.DataFrame  # deal_credits columns
    rep: np.ndarray
    month: np.ndarray
    date: np.ndarray  # datetime64[D]


def _measure_rows(m: Measure, deals: _Deals, g: _Grid, adj: pd.DataFrame,
                  negative: bool) -> _Rows:
    """Credit rows of measure ``m`` by month (plus negative rows for reversals that reduce
    attainment); ``_grouped`` turns months into quota periods or years."""
    credits = deals.frame
    mask = np.ones(len(credits), bool)
    if m.products is not None:
        mask &= index_in(credits["product"], m.products) >= 0
    if m.new_logo_only:
        mask &= credits["new_logo"].to_numpy()
    pp_of_month = g.pp_of_month.astype(np.int16)  # small codes gather and sort faster
    units = (credits["credit_cents"].to_numpy() if m.credit == "amount"
             else round_cents(credits["share"].to_numpy() * 100))
    if mask.all():
        rows = [(np.arange(mask.size, dtype=np.int32), deals.rep, deals.month, pp_of_month[deals.month],
                 deals.date, units)]
    else:
        src = np.flatnonzero(mask)
        month = deals.month[src]
        rows = [(src, deals.rep[src], month, pp_of_month[month], deals.date[src], units[src])]
    if negative and len(adj):
        a = adj.loc[mask[adj["_credit"].to_numpy()]]
        c = a["_credit"].to_numpy()
        a_month = np.searchsorted(g.months, a["date"].to_numpy("datetime64[D]"), "right") - 1
        rows.append((c, deals.rep[c], a_month, a["pp"].to_numpy(),
                     a["date"].to_numpy("datetime64[D]"),
                     -round_cents(units[c] * a["fraction"].to_numpy())))
    if len(rows) == 1:
        return _Rows(*rows[0])
    return _Rows(*(np.concatenate(parts) for parts in zip(*rows, strict=True)))


def _grouped(rows: _Rows, group_of_month: np.ndarray) -> _Rows:
    """Monthly rows with months replaced by their quota period (or year) index."""
    return dataclasses.replace(rows, group=group_of_month.astype(np.int32)[rows.group])


def _measure_quota(m: Measure, quota_month: np.ndarray, g: _Grid, group_of_month: np.ndarray,
                   n: int) -> np.ndarray:
    """(R, n) target of the measure per group (quota period or year) in cents / centi-units."""
    if m.quota_fixed is None:
        return float(m.quota_share) * _by_period(quota_month, group_of_month, n)
    days = _by_period(np.broadcast_to(g.month_days, g.active_days.shape), group_of_month, n)
    active = _by_period(g.active_days, group_of_month, n)
    return float(m.quota_fixed) * 100 * active / np.maximum(days, 1)


def _incentive(plan: Plan, monthly: list[_Rows], group_of_month: np.ndarray, n_groups: int,
               quota_month: np.ndarray, ti: np.ndarray, g: _Grid, totals_only: bool = False,
               in_progress: np.ndarray | None = None) -> list[tuple[int, dict, np.ndarray]]:
    """Commission lines of every measure with tiers over ``group_of_month`` periods.

    ``totals_only`` tiers each group's total credit at once (cumulative-scope measures), which
    gives the same total with one line per group: used by the annual true-up. ``in_progress``
    marks the groups not ended by the run's end.
    """
    out = []
    for i, m in enumerate(plan.measures):
        rows = _grouped(monthly[i], group_of_month)
        if totals_only and m.tiers.scope == "period":
            rows = _group_totals(rows, quota_month.shape[0], n_groups)
        quota = _measure_quota(m, quota_month, g, group_of_month, n_groups)
        out.append((i, _tier(m, rows, quota, ti, in_progress), quota))
    return out


def _group_totals(rows: _Rows, n_reps: int, n_groups: int) -> _Rows:
    """One row per (rep, group) with credit, holding the group's total credit.

    Its date is irrelevant (nothing to order inside a group of one), so all share one.
    """
    key = rows.rep.astype(np.int64) * n_groups + rows.group
    size = n_reps * n_groups
    present = np.flatnonzero(np.bincount(key, minlength=size))
    units = np.bincount(key, weights=rows.units, minlength=size)[present].astype(np.int64)
    rep, group = np.divmod(present, n_groups)
    n = present.size
    return _Rows(np.full(n, -1), rep, group, np.zeros(n, np.int64),
                 np.zeros(n, "datetime64[D]"), units)


def run_plan(plan: Plan, inputs: CompInputs, start: str | pd.Timestamp,
             end: str | pd.Timestamp) -> CompResult:
    """Statements of every rep on ``plan`` for the payout periods overlapping [start, end].

    The run starts at the beginning of the quota period (fiscal year with a true-up) containing
    ``start`` so that cumulative tiers see the whole period.
    """
    cal = inputs.calendar
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    reps = eligible_reps(plan, inputs.reps, inputs.assignments)
    g = _grid(plan, reps, cal, start, end)
    P, Q = len(g.payout), len(g.quota)
    last_day = np.datetime64(g.payout[-1].end, "D")
    ti_month = _whole_cents(float(plan.target_incentive) * 100 / 12 * g.active_days / g.month_days)
    ti_q, ti_p = (_by_period(ti_month, g.qp_of_month, Q), _by_period(ti_month, g.pp_of_month, P))
    quota_month = _monthly_quota(plan, reps, inputs.quotas, g)

    credits = deal_credits(inputs.opportunities, inputs.splits if plan.split_credit else None,
                           new_logos=any(m.new_logo_only for m in plan.measures))
    rep = index_in(credits["rep_id"], reps["rep_id"])
    # days as plain integers: integer compares are several times faster than datetime ones
    close = (credits["close_date"].to_numpy("datetime64[ns]").view(np.int64)
             // _DAY_NS).view("datetime64[D]")
    day = close.view(np.int64)
    ok = (rep >= 0) & (day >= g.months[0].astype(np.int64)) & (day <= last_day.astype(np.int64))
    window = ok
    if ((g.window[0] > g.months[0]) | (g.window[1] < last_day)).any():
        rep_c = np.where(ok, rep, 0)
        window = ok & (close >= g.window[0][rep_c]) & (close <= g.window[1][rep_c])
    outside = credits.iloc[np.flatnonzero(ok & ~window)].reset_index(drop=True)
    if not window.all():
        credits, rep, close = credits.loc[window].reset_index(drop=True), rep[window], close[window]
    days = np.arange(g.months[0], last_day + 1)
    month_of_day = (np.searchsorted(g.months, days, side="right") - 1).astype(np.int16)
    deals = _Deals(credits, rep.astype(np.int32), month_of_day[(close - g.months[0]).astype(
        np.int64)], close)
    adj, ignored = _adjustments(plan, inputs, credits, g, last_day)

    negative = plan.clawback is not None and plan.clawback.affects_attainment
    monthly = [_measure_rows(m, deals, g, adj, negative) for m in plan.measures]
    lines = Lines(len(reps), P)
    per_measure = _incentive(plan, monthly, g.qp_of_month, Q, quota_month, ti_q, g,
                             in_progress=np.array([q.end > end for q in g.quota]))
    band_offset = np.cumsum([0] + [len(m.tiers.bands) for m in plan.measures])
    adjusted = np.zeros(len(credits), bool)
    adjusted[adj["_credit"].to_numpy() if len(adj) else []] = True
    paid_by_deal = {}
    for i, t, _quota in per_measure:
        lines.add(t["rep"], t["pp"], t["kind"], t["cents"], measure=i, src=t["src"],
                  date=t["date"], credit=t["credit"], band=t["band"] + band_offset[i],
                  rate=t["rate"], note=t["note"])
        clawed = np.flatnonzero((t["kind"] == KIND_CODES["commission"]) & adjusted[t["src"]])
        paid_by_deal[i] = np.bincount(t["src"][clawed], weights=t["cents"][clawed],
                                      minlength=len(credits))  # only deals with adjustments
    cap = _cap_cents(plan, ti_q)
    if cap is not None:
        _apply_cap(plan, cap, g, lines)
    spif_paid = _spifs(plan, deals, g, lines)
    _clawbacks(plan, adj, rep, paid_by_deal, spif_paid, lines)
    if plan.true_up:
        _true_up(plan, monthly, quota_month, ti_month, cap, g, lines, end)
    balance = _draws(plan, reps, g, lines, ti_p)
    return _result(plan, reps, g, lines, credits, per_measure, cap, balance, ti_p, outside,
                   ignored)


def _cap_cents(plan: Plan, ti_q: np.ndarray) -> np.ndarray | None:
    """(R, quota periods) cap on incentive in cents, or None without a cap."""
    if plan.cap is None:
        return None
    if plan.cap.multiple_of_target is not None:
        return np.round(float(plan.cap.multiple_of_target) * ti_q).astype(np.int64)
    return np.full(ti_q.shape, int(plan.cap.amount_per_period * 100), np.int64)


def _apply_cap(plan: Plan, cap: np.ndarray, g: _Grid, lines: Lines) -> None:
    """Cap lines: incentive earned to date in a quota period beyond its cap is not paid.

    The cap line lands in the payout period where the running total passes the cap.
    """
    R, P = cap.shape[0], len(g.payout)
    earned = lines.sum_by(INCENTIVE_KINDS)
    qp_of_pp = g.qp_of_month[np.searchsorted(g.pp_of_month, np.arange(P))]
    paid_to_date = np.zeros(R, np.int64)
    cut = np.zeros((R, P), np.int64)
    for p in range(P):
        if p == 0 or qp_of_pp[p] != qp_of_pp[p - 1]:
            earned_to_date = np.zeros(R, np.int64)
            paid_to_date = np.zeros(R, np.int64)
        earned_to_date = earned_to_date + earned[:, p]
        allowed = np.minimum(earned_to_date, cap[:, qp_of_pp[p]])
        cut[:, p] = (allowed - paid_to_date) - earned[:, p]
        paid_to_date = allowed
    r, p = np.nonzero(cut)
    lines.add(r, p, KIND_CODES["cap"], cut[r, p], note=f"cap of {_cap_text(plan)} per "
              f"{plan.quota_period}")


def _cap_text(plan: Plan) -> str:
    assert plan.cap is not None
    if plan.cap.multiple_of_target is not None:
        return f"{plan.cap.multiple_of_target}x target incentive"
    return f"{plan.cap.amount_per_period:,}"


def _spifs(plan: Plan, deals: _Deals, g: _Grid, lines: Lines) -> np.ndarray:
    """SPIF lines; returns cents paid per credit row (for clawbacks)."""
    credits = deals.frame
    paid = np.zeros(len(credits))
    for s in plan.spifs:
        first, last = np.datetime64(s.start, "D"), np.datetime64(s.end, "D")
        m0, m1 = np.searchsorted(g.months, [first, last], side="right") - 1
        src = np.flatnonzero((deals.month >= m0) & (deals.month <= m1))  # small ints: cheap
        src = src[(deals.date[src] >= first) & (deals.date[src] <= last)]
        src = src[credits["amount_cents"].to_numpy()[src] >= int(s.min_deal_amount * 100)]
        if s.products is not None:
            src = src[index_in(credits["product"].array.take(src), s.products) >= 0]
        cents = round_cents(float(s.amount_per_deal) * 100 * credits["share"].to_numpy()[src])
        lines.add(deals.rep[src], g.pp_of_month[deals.month[src]], KIND_CODES["spif"], cents, src=src,
                  date=deals.date[src], credit=credits["credit_cents"].to_numpy()[src],
                  note=f"SPIF '{s.name}'")
        paid[src] += cents  # src holds each credit row at most once
    return paid


def _clawbacks(plan: Plan, adj: pd.DataFrame, rep: np.ndarray, paid_by_deal: dict,
               spif_paid: np.ndarray, lines: Lines) -> None:
    """Reverse what was paid on a cancelled/refunded deal, in the period of the reversal."""
    if not len(adj):
        return
    c, f = adj["_credit"].to_numpy(), adj["fraction"].to_numpy()
    dates = adj["date"].to_numpy("datetime64[D]")
    notes = (adj["kind"] + " on " + adj["date"].dt.strftime("%Y-%m-%d") + ": reverses "
             + (f * 100).round(1).astype(str) + "% of what this deal paid").to_numpy(object)
    sources = [] if plan.clawback.affects_attainment else list(paid_by_deal.items())
    for measure, paid in [*sources, (-1, spif_paid)]:
        cents = -round_cents(f * paid[c])
        keep = cents != 0
        lines.add(rep[c][keep], adj["pp"].to_numpy()[keep], KIND_CODES["clawback"], cents[keep],
                  measure=measure, src=c[keep], date=dates[keep], note=notes[keep])


def _true_up(plan: Plan, monthly: list[_Rows], quota_month: np.ndarray, ti_month: np.ndarray,
             cap: np.ndarray | None, g: _Grid, lines: Lines, end: pd.Timestamp) -> None:
    """Annual true-up: incentive on the year's attainment minus incentive already paid."""
    R, Y, P = quota_month.shape[0], len(g.years), len(g.payout)
    annual = np.zeros((R, Y), np.int64)
    for _i, t, _q in _incentive(plan, monthly, g.year_of_month, Y, quota_month,
                                _by_period(ti_month, g.year_of_month, Y), g, totals_only=True):
        annual += np.bincount(t["rep"] * Y + t["rows"].group[t["line_row"]], weights=t["cents"],
                              minlength=R * Y).astype(np.int64).reshape(R, Y)
    year_of_pp = g.year_of_month[np.searchsorted(g.pp_of_month, np.arange(P))]
    if cap is not None:
        qp_year = np.array([g.year_of_month[np.flatnonzero(g.qp_of_month == q)[0]]
                            for q in range(cap.shape[1])])
        annual = np.minimum(annual, _by_period(cap, qp_year, Y))
    paid = _by_period(lines.sum_by(INCENTIVE_KINDS), year_of_pp, Y)
    diff = annual - paid if plan.true_up_negative else np.maximum(annual - paid, 0)
    complete = np.array([y.end <= end for y in g.years])
    r, y = np.nonzero((diff != 0) & complete[None, :])
    last_pp = np.array([np.flatnonzero(year_of_pp == k).max() for k in range(Y)])
    notes = np.array([f"annual true-up: {annual[a, b] / 100:,.2f} earned on the year's "
                      f"attainment, {paid[a, b] / 100:,.2f} already paid" for a, b in zip(r, y,
                                                                                          strict=True)],
                     dtype=object)
    lines.add(r, last_pp[y], KIND_CODES["true_up"], diff[r, y], note=notes)


def _draws(plan: Plan, reps: pd.DataFrame, g: _Grid, lines: Lines,
           ti_p: np.ndarray) -> np.ndarray:
    """Ramp guarantee and draw lines; returns the (R, P) recoverable draw balance in cents."""
    R, P = ti_p.shape
    balance = np.zeros((R, P), np.int64)
    earned = lines.sum_by()
    if plan.ramp is not None and plan.ramp.guarantee > 0:
        in_ramp = (g.tenure >= 0) & (g.tenure < plan.ramp.months) & (g.active_days > 0)
        guarantee = _by_period(in_ramp * float(plan.ramp.guarantee) * 100 * g.active_days
                               / g.month_days, g.pp_of_month, P).round().astype(np.int64)
        top = np.where(guarantee > 0, np.maximum(guarantee - earned, 0), 0)
        r, p = np.nonzero(top)
        lines.add(r, p, KIND_CODES["guarantee"], top[r, p], note="new-hire ramp guarantee top-up")
        earned = earned + top
    if plan.draw is None:
        return balance
    months_ok = g.active_days > 0
    if plan.draw.months is not None:
        months_ok &= g.plan_tenure < plan.draw.months
    draw = np.where(_by_period(months_ok.astype(np.int64), g.pp_of_month, P) > 0,
                    int(plan.draw.amount * 100), 0)
    running = np.zeros(R, np.int64)
    for p in range(P):
        top = np.maximum(draw[:, p] - earned[:, p], 0)
        recovery = np.zeros(R, np.int64)
        if plan.draw.recoverable:
            recovery = np.where(top == 0, np.minimum(running, np.maximum(
                earned[:, p] - draw[:, p], 0)), 0)
            running = running + top - recovery
        balance[:, p] = running
        for kind, cents in (("draw", top), ("draw_recovery", -recovery)):
            r = np.flatnonzero(cents)
            label = "recoverable" if plan.draw.recoverable else "non-recoverable"
            lines.add(r, np.full(r.size, p), KIND_CODES[kind], cents[r],
                      balance=running[r] if plan.draw.recoverable else NO_BALANCE,
                      note=f"{label} draw" if kind == "draw" else "draw recovered from earnings")
    return balance


def _categorical(codes: np.ndarray, categories: object) -> pd.Categorical:
    """Categorical from codes known to be valid (-1 = missing), without a validation pass."""
    return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories),
                                     validate=False)


def _result(plan: Plan, reps: pd.DataFrame, g: _Grid, lines: Lines, credits: pd.DataFrame,
            per_measure: list, cap: np.ndarray | None, balance: np.ndarray, ti_p: np.ndarray,
            outside: pd.DataFrame, ignored: pd.DataFrame) -> CompResult:
    col = lines.ordered()
    pp, src = col["pp"], col["src"]
    measure_names = [m.name for m in plan.measures]
    tier_labels = [b.label for m in plan.measures for b in m.tiers.bands]
    tiers, tier_code = np.unique(np.array([*tier_labels, ""], dtype=object), return_inverse=True)
    tier_of_band = np.where(tier_code == tier_code[-1], -1, tier_code).astype(np.int8)
    period_start = np.array([p.start for p in g.payout], dtype="datetime64[ns]")
    bal, measure = col["balance"], col["measure"]
    unit_of_measure = np.array([m.credit == "count" for m in plan.measures] + [False], np.int8)
    rate_unit_of_measure = np.array([RATE_UNITS.index(m.tiers.rate_unit) for m in plan.measures]
                                    + [0], np.int8)
    frame = pd.DataFrame({
        "plan": _categorical(np.zeros(pp.size, np.int8), [plan.name]),
        "rep_id": _categorical(col["rep"], reps["rep_id"].astype(str)),
        "period": period_start[pp],
        "period_label": _categorical(pp, [p.label for p in g.payout]),
        "kind": _categorical(col["kind"], KINDS),
        "measure": _categorical(measure, measure_names),
        "opportunity_id": take_strings(credits["opportunity_id"].array, src),
        "date": col["date"].astype("datetime64[ns]"),
        "credit": col["credit"] / 100,
        "credit_unit": _categorical(unit_of_measure[measure], ["money", "deals"]),
        "tier": _categorical(tier_of_band[col["band"]], tiers.astype(str)),
        "rate": col["rate"],
        "rate_unit": _categorical(rate_unit_of_measure[measure], list(RATE_UNITS)),
        "amount_cents": col["cents"],
        "balance_cents": pd.arrays.IntegerArray(bal, bal == NO_BALANCE),
        "note": _categorical(col["note"], list(lines.notes)),
    }, copy=False)
    return CompResult(plan, frame, _periods(plan, reps, g, lines.totals, balance, ti_p),
                      _attainment(plan, reps, g, per_measure, cap),
                      outside, ignored)


def _periods(plan: Plan, reps: pd.DataFrame, g: _Grid, totals: np.ndarray, balance: np.ndarray,
             ti_p: np.ndarray) -> pd.DataFrame:
    """One row per rep x payout period on the plan: target, totals by kind (``totals``: (R, P,
    kinds) cents of the lines), draw balance."""
    R, P = ti_p.shape
    totals = totals.reshape(R * P, len(KINDS))
    active = _by_period(g.active_days, g.pp_of_month, P).ravel()
    has = (active > 0) | totals.any(axis=1)
    r, p = np.divmod(np.flatnonzero(has), P)
    frame = pd.DataFrame({
        "plan": plan.name,
        "rep_id": reps["rep_id"].to_numpy(object)[r],
        "period": np.array([x.start for x in g.payout], dtype="datetime64[ns]")[p],
        "period_end": np.array([x.end for x in g.payout], dtype="datetime64[ns]")[p],
        "period_label": [g.payout[k].label for k in p],
        "active_days": active[has],
        "target_incentive_cents": np.round(ti_p[r, p]).astype(np.int64),
    })
    for k, name in enumerate(KINDS):
        frame[f"{name}_cents"] = totals[has, k]
    frame["total_cents"] = totals[has].sum(axis=1)
    frame["draw_balance_cents"] = balance[r, p]
    return frame


def _attainment(plan: Plan, reps: pd.DataFrame, g: _Grid, per_measure: list,
                cap: np.ndarray | None) -> pd.DataFrame:
    """Credit, quota and attainment per rep x measure x quota period (with the period's cap)."""
    R, Q = g.active_days.shape[0], len(g.quota)
    frames = []
    for i, t, quota in per_measure:
        credit = t["group_credit"].reshape(R, Q)
        active = _by_period(g.active_days, g.qp_of_month, Q)
        r, q = np.nonzero((active > 0) | (credit != 0))
        frames.append(pd.DataFrame({
            "plan": plan.name,
            "rep_id": reps["rep_id"].to_numpy(object)[r],
            "measure": plan.measures[i].name,
            "quota_period": np.array([x.start for x in g.quota], dtype="datetime64[ns]")[q],
            "quota_period_end": np.array([x.end for x in g.quota], dtype="datetime64[ns]")[q],
            "quota_period_label": [g.quota[k].label for k in q],
            "active_share": active[r, q] / np.array([x.days for x in g.quota])[q],
            "quota": quota[r, q] / 100,
            "credit": credit[r, q] / 100,
            "attainment": np.divide(credit[r, q], quota[r, q], out=np.full(r.size, np.nan),
                                    where=quota[r, q] > 0),
            "cap_cents": pd.array(cap[r, q] if cap is not None else [pd.NA] * r.size,
                                  dtype="Int64"),
        }))
    return pd.concat(frames, ignore_index=True)


def payout_at_attainment(plan: Plan, attainment: np.ndarray,
                         quota: float | np.ndarray = 1_000_000.0,
                         months: int | None = None) -> np.ndarray:
    """Capped incentive (currency) for one full quota period at each attainment (all measures).

    The pay curve of the plan: a rep on the plan for the whole period, with a quota of ``quota``
    (value-rate plans depend on it), reaching ``attainment`` on every measure at once.
    """
    att = np.asarray(attainment, dtype=np.float64)
    n = att.size
    months = months or {"month": 1, "quarter": 3, "year": 12}[plan.quota_period]
    ti = np.full((n, 1), float(plan.target_incentive) * 100 * months / 12)
    total = np.zeros(n, np.int64)
    for m in plan.measures:
        target = np.broadcast_to(float(m.quota_fixed) * 100 if m.quota_fixed is not None
                                 else np.asarray(quota, np.float64) * 100 * float(m.quota_share),
                                 (n,))
        rows = _Rows(np.full(n, -1), np.arange(n), np.zeros(n, np.int64), np.zeros(n, np.int64),
                     np.full(n, np.datetime64("2000-01-01", "D")), np.round(att * target).astype(
                         np.int64))
        t = _tier(m, rows, target[:, None], ti)
        total += np.bincount(t["rep"], weights=t["cents"], minlength=n).astype(np.int64)
    cap = _cap_cents(plan, ti)
    if cap is not None:
        total = np.minimum(total, cap[:, 0])
    return total / 100
