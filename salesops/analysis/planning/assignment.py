"""Territory assignment: accounts to territories so that each territory's potential and workload
are within a tolerance of their target, keeping as many current assignments as possible.

The target of a territory is the mean over the territories it competes with (all of them, or
those of its region with ``within_region``): perfect balance. ``solve_territories`` is a mixed
integer programme solved by HiGHS (``scipy.optimize.milp``): minimise, lexicographically, the
excess beyond the tolerances, then the accounts moved, then the trailing bookings moved (revenue
at risk); a large book goes through the LP relaxation (the few accounts it splits placed by a
MILP, then greedy repair moves). ``greedy_territories`` is the baseline: unassigned accounts
to the least loaded territory, then repeatedly the account of the most loaded territory whose
potential best fills the gap of the least loaded one. See docs/planning.md.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from salesops.data.schema import TERRITORIES, conform

NO_REGION = "(no region)"
#: Accounts either side of the best fit the greedy considers (the first that may move moves).
GREEDY_WINDOW = 8
#: Least loaded territories the greedy tries, in turn, as the receiver of a move.
GREEDY_RECEIVERS = 3
ASSIGNMENT_COLUMNS: tuple[str, ...] = ("account_id", "territory", "rep_id", "from_territory",
                                       "moved")
MOVE_COLUMNS: tuple[str, ...] = ("account_id", "segment", "region", "from_territory", "from_rep",
                                 "to_territory", "to_rep", "potential", "trailing_bookings")
#: Columns the assignment reads from the accounts (``AccountBook.accounts`` has them).
ACCOUNT_INPUT: tuple[str, ...] = ("account_id", "segment", "region", "territory", "potential",
                                  "workload", "trailing_bookings")
BY_TERRITORY_COLUMNS: tuple[str, ...] = ("territory", "rep_id", "region", "accounts", "workload",
                                         "potential", "target", "deviation")


@dataclass(frozen=True)
class Balance:
    """Balance of potential over territories. Deviation = potential / target - 1 per territory;
    ``spread`` = largest minus smallest deviation, ``max_deviation`` = largest |deviation|,
    ``cv`` = standard deviation of the deviations (all as shares of the target); ``largest`` and
    ``smallest`` in currency; ``workload_max_deviation`` the largest |workload / target - 1|."""

    territories: int
    largest: float
    smallest: float
    spread: float
    max_deviation: float
    workload_max_deviation: float
    cv: float


@dataclass(frozen=True)
class TerritoryPlan:
    """An assignment and its balance before and after.

    ``assignment``: ASSIGNMENT_COLUMNS per account (``from_territory`` NA when it had none);
    ``before``/``after``: BY_TERRITORY_COLUMNS per territory; ``moves``: MOVE_COLUMNS per account
    moved (not those newly assigned); ``revenue_at_risk``: trailing bookings of the moved accounts.
    """

    method: str
    status: str
    assignment: pd.DataFrame
    before: pd.DataFrame
    after: pd.DataFrame
    balance_before: Balance
    balance_after: Balance
    moves: pd.DataFrame
    accounts_moved: int
    newly_assigned: int
    revenue_at_risk: float
    seconds: float
    tolerance: float
    workload_tolerance: float | None
    within_region: bool


@dataclass(frozen=True)
class _Problem:
    """Arrays of one instance: per account potential, workload, bookings, current territory
    (-1: none) and group; per territory group and targets."""

    potential: np.ndarray
    workload: np.ndarray
    bookings: np.ndarray
    current: np.ndarray
    group: np.ndarray
    territory_group: np.ndarray
    target: np.ndarray
    workload_target: np.ndarray

    def loads(self, assigned: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Potential and workload per territory of an assignment (-1: unassigned, not counted)."""
        n_t, keep = len(self.target), assigned >= 0
        return (np.bincount(assigned[keep], self.potential[keep], minlength=n_t).astype(float),
                np.bincount(assigned[keep], self.workload[keep], minlength=n_t).astype(float))


def solve_territories(
    accounts: pd.DataFrame, territories: pd.DataFrame, *, tolerance: float = 0.02,
    workload_tolerance: float | None = 0.10, within_region: bool = True,
    candidates: int | None = 4, time_limit: float = 60.0, gap: float = 0.01,
    exact_up_to: int = 100, seed: int = 0,
) -> TerritoryPlan:
    """The solver's assignment. ``workload_tolerance`` None: workload not balanced.
    ``candidates``: territories each movable account may go to besides its own (drawn, seeded,
    among the under-target ones of its group; None: all). ``gap``: relative optimality gap at
    which the solver stops. Up to ``exact_up_to`` movable accounts the MILP is solved whole,
    beyond through its LP relaxation (``status`` says which, with the repair moves)."""
    started = time.perf_counter()
    problem, index = _problem(accounts, territories, within_region)
    movers, options = _candidates(problem, candidates, seed)
    assigned, status = _solve(problem, movers, options, tolerance, workload_tolerance, time_limit,
                              gap, exact_up_to)
    if assigned is None:
        plan = greedy_territories(accounts, territories, tolerance=tolerance,
                                  within_region=within_region)
        return replace(plan, status=f"{status}: the greedy assignment is given instead")
    return _plan("solver", status, problem, index, accounts, territories, assigned,
                 time.perf_counter() - started, tolerance, workload_tolerance, within_region)


def greedy_territories(
    accounts: pd.DataFrame, territories: pd.DataFrame, *, tolerance: float = 0.02,
    within_region: bool = True,
) -> TerritoryPlan:
    """The greedy baseline (potential only, workload not balanced)."""
    started = time.perf_counter()
    problem, index = _problem(accounts, territories, within_region)
    assigned = _placed(problem)
    load, _ = problem.loads(assigned)
    for g in np.unique(problem.territory_group):
        _greedy_group(problem, assigned, load, np.flatnonzero(problem.territory_group == g),
                      tolerance)
    return _plan("greedy", "greedy", problem, index, accounts, territories, assigned,
                 time.perf_counter() - started, tolerance, None, within_region)


def territories_table(plan: TerritoryPlan) -> pd.DataFrame:
    """The canonical ``territories`` table (account_id, territory, rep_id) of a plan."""
    return conform(plan.assignment[["account_id", "territory", "rep_id"]], TERRITORIES)


def _problem(accounts: pd.DataFrame, territories: pd.DataFrame,
             within_region: bool) -> tuple[_Problem, pd.Index]:
    """The arrays of an instance and the territory index (position = territory number)."""
    _check(accounts, territories)
    index = pd.Index(territories["territory"].astype("string"))
    current = index.get_indexer(accounts["territory"].astype("string"))
    if within_region:  # an account of unknown region is of its current territory's region
        home = territories["region"].astype("string").to_numpy()[np.maximum(current, 0)]
        region = accounts["region"].astype("string").fillna(
            pd.Series(home, index=accounts.index, dtype="string").where(current >= 0))
        regions = pd.Index(pd.concat([region, territories["region"]])
                           .astype("string").fillna(NO_REGION).unique())
        group = regions.get_indexer(region.fillna(NO_REGION))
        territory_group = regions.get_indexer(territories["region"].astype("string")
                                              .fillna(NO_REGION))
        lacking = np.setdiff1d(np.unique(group), territory_group)
        if len(lacking):
            raise ValueError(f"accounts of region '{regions[lacking[0]]}' have no territory of "
                             "their region; give one a region or pass within_region=False")
    else:
        group, territory_group = np.zeros(len(accounts), int), np.zeros(len(index), int)
    current = np.where((current >= 0) & (territory_group[np.maximum(current, 0)] == group),
                       current, -1)  # an account in another region's territory must move
    potential = accounts["potential"].to_numpy("float64")
    workload = accounts["workload"].to_numpy("float64")
    per_group = np.bincount(territory_group, minlength=group.max(initial=0) + 1)
    target = (np.bincount(group, potential, minlength=len(per_group)) / np.maximum(per_group, 1))
    workload_target = (np.bincount(group, workload, minlength=len(per_group))
                       / np.maximum(per_group, 1))
    bookings = accounts["trailing_bookings"].to_numpy("float64")
    return _Problem(potential, workload, bookings, current, group, territory_group,
                    target[territory_group], workload_target[territory_group]), index


def _check(accounts: pd.DataFrame, territories: pd.DataFrame) -> None:
    """ValueError naming the first bad row: columns lacking, no territory, a duplicate or
    empty id, a negative or unknown potential, workload or bookings."""
    if territories.empty:
        raise ValueError("territories: none given; every account needs one to go to")
    for frame, name, columns, key in (
            (accounts, "accounts", ACCOUNT_INPUT, "account_id"),
            (territories, "territories", ("territory", "rep_id", "region"), "territory")):
        lacking = [c for c in columns if c not in frame.columns]
        if lacking:
            raise ValueError(f"{name}: no column {', '.join(map(repr, lacking))}")
        ids = frame[key].astype("string")
        bad = ids.isna() | ids.duplicated()
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(f"{name}: row {row} has {'no' if ids.isna().iloc[row] else 'a repeated'} "
                             f"{key} ({ids.iloc[row]})")
    for column in ("potential", "workload", "trailing_bookings"):
        values = accounts[column].astype("float64")
        bad = values.isna() | (values < 0)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(f"accounts: row {row} (account {accounts['account_id'].iloc[row]}) has "
                             f"{column} {values.iloc[row]}: must be a number >= 0")


def _placed(problem: _Problem) -> np.ndarray:
    """Today's assignment with each unassigned account, largest potential first, in the least
    loaded territory of its group."""
    assigned = problem.current.copy()
    load, _ = problem.loads(assigned)
    for a in np.flatnonzero(assigned < 0)[np.argsort(-problem.potential[assigned < 0],
                                                     kind="stable")]:
        options = np.flatnonzero(problem.territory_group == problem.group[a])
        t = options[np.argmin(_relative(load[options], problem.target[options]))]
        assigned[a], load[t] = t, load[t] + problem.potential[a]
    return assigned


def _relative(load: np.ndarray, target: np.ndarray) -> np.ndarray:
    """load / target - 1 (0 where the target is 0)."""
    return np.divide(load, target, out=np.ones_like(load), where=target > 0) - 1


def _candidates(problem: _Problem, k: int | None,
                seed: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Accounts the model may move and the territories each may take (its own first).

    With ``k``: unassigned accounts and those of territories over target (potential or workload,
    the unassigned placed as the greedy places them), each with k territories drawn (weighted by
    deficit) among its group's under-target ones."""
    potential, workload = problem.loads(_placed(problem))
    over = np.maximum(_relative(potential, problem.target),
                      _relative(workload, problem.workload_target))
    under = np.minimum(_relative(potential, problem.target),
                       _relative(workload, problem.workload_target))
    has = problem.current >= 0
    movable = np.ones(len(problem.current), bool) if k is None else (
        ~has | (over[np.maximum(problem.current, 0)] > 0))
    movers = np.flatnonzero(movable)
    options: list[np.ndarray] = [np.empty(0, int)] * len(movers)
    rng = np.random.default_rng(seed)
    for g in np.unique(problem.group[movers]):
        ours = np.flatnonzero(problem.group[movers] == g)
        pool = np.flatnonzero(problem.territory_group == g)
        if k is not None:
            receivers = pool[under[pool] < 0]
            if len(receivers) < min(k, len(pool)):
                receivers = pool[np.argsort(under[pool], kind="stable")[:k]]
            pool = receivers
        weight = np.log(np.maximum(-under[pool], 0) + 1e-3)
        keys = weight + rng.gumbel(size=(len(ours), len(pool)))
        own = problem.current[movers[ours]]
        keys[own[:, None] == pool[None, :]] = -np.inf
        take = len(pool) if k is None else min(k, len(pool))
        order = np.argsort(-keys, axis=1, kind="stable")[:, :take]
        drawn, valid = pool[order], np.take_along_axis(keys, order, axis=1) > -np.inf
        for row, i in enumerate(ours):
            chosen = drawn[row][valid[row]]
            options[i] = np.r_[own[row], chosen] if own[row] >= 0 else chosen
    return movers, options


def _solve(problem: _Problem, movers: np.ndarray, options: list[np.ndarray], tolerance: float,
           workload_tolerance: float | None, time_limit: float, gap: float,
           exact_up_to: int) -> tuple[np.ndarray | None, str]:
    """(assignment, status) or (None, why not). Up to ``exact_up_to`` movers one MILP; beyond,
    the LP relaxation, the accounts it splits placed by a MILP over them alone (the others
    fixed, a tenth of the time limit; each to its largest share if that finds nothing), then
    the greedy's moves where a territory is still outside the potential tolerance (those
    keeping workload within its tolerance first)."""
    started = time.perf_counter()
    penalty = 10.0 * (len(movers) + 1)  # a unit of relative excess outweighs every move
    base = problem.current.copy()
    base[movers] = -1
    exact = len(movers) <= exact_up_to
    solved = _milp(problem, base, movers, options, tolerance, workload_tolerance, penalty, exact,
                   time_limit, gap)
    if solved is None:
        return None, "the solver found no assignment within the time limit"
    choice, weight, result = solved
    assigned = base.copy()
    assigned[movers] = choice
    if exact:
        return assigned, "optimal" if result.status == 0 else f"best found ({result.message})"
    split = np.flatnonzero(weight < 1 - 1e-6)
    assigned[movers[split]] = -1  # the split accounts placed by a MILP over them alone
    placed = _milp(problem, assigned, movers[split], [options[i] for i in split], tolerance,
                   workload_tolerance, penalty, True,
                   min(max(time_limit - (time.perf_counter() - started), 1.0), time_limit / 10), gap)
    assigned[movers[split]] = choice[split] if placed is None else placed[0]
    rounded = assigned.copy()
    load, _ = problem.loads(assigned)
    for g in np.unique(problem.territory_group):  # workload kept while that suffices
        for strict in (True, False):
            _greedy_group(problem, assigned, load, np.flatnonzero(problem.territory_group == g),
                          tolerance, workload_tolerance, strict)
    how = "rounded" if placed is None else "placed by a MILP"
    return assigned, (f"LP relaxation ({len(split):,} of {len(movers):,} movable accounts split, "
                      f"{how}), {int((assigned != rounded).sum()):,} greedy repair moves")


def _milp(problem: _Problem, base: np.ndarray, movers: np.ndarray, options: list[np.ndarray],
          tolerance: float, workload_tolerance: float | None, penalty: float, integer: bool,
          time_limit: float, gap: float) -> tuple[np.ndarray, np.ndarray, object] | None:
    """The model over the movers' options, the others fixed as in ``base``: per mover its
    territory and its largest x, and the solver's result (None: no solution)."""
    n_t, n_m = len(problem.target), len(movers)
    fixed_p, fixed_w = problem.loads(base)
    account = np.repeat(np.arange(n_m), [len(o) for o in options])
    pair_t = np.concatenate(options).astype(int) if n_m else np.empty(0, int)
    pair_a, m = movers[account], len(pair_t)
    scale_p = np.where(problem.target > 0, problem.target, 1.0)
    scale_w = np.where(problem.workload_target > 0, problem.workload_target, 1.0)
    # Columns: the pairs, then per territory potential over/under and workload over/under slacks.
    # Rows: one per mover (exactly one territory), then potential and workload per territory.
    slack, terr = m + np.arange(n_t), n_m + np.arange(n_t)
    rows = np.concatenate([account, n_m + pair_t, n_m + n_t + pair_t, terr, terr, terr + n_t,
                           terr + n_t])
    cols = np.concatenate([np.arange(m), np.arange(m), np.arange(m), slack, slack + n_t,
                           slack + 2 * n_t, slack + 3 * n_t])
    vals = np.concatenate([np.ones(m), problem.potential[pair_a] / scale_p[pair_t],
                           problem.workload[pair_a] / scale_w[pair_t], -np.ones(n_t),
                           np.ones(n_t), -np.ones(n_t), np.ones(n_t)])
    matrix = coo_matrix((vals, (rows, cols)), shape=(n_m + 2 * n_t, m + 4 * n_t)).tocsr()
    share_p, share_w = problem.target / scale_p, problem.workload_target / scale_w
    wtol = 0.0 if workload_tolerance is None else workload_tolerance
    free = np.full(n_t, np.inf if workload_tolerance is None else 0.0)  # workload unbounded
    lower = np.concatenate([np.ones(n_m), (1 - tolerance) * share_p - fixed_p / scale_p,
                            (1 - wtol) * share_w - fixed_w / scale_w - free])
    upper = np.concatenate([np.ones(n_m), (1 + tolerance) * share_p - fixed_p / scale_p,
                            (1 + wtol) * share_w - fixed_w / scale_w + free])
    top = problem.bookings.max(initial=0.0)
    moved = (problem.current[pair_a] >= 0) & (pair_t != problem.current[pair_a])
    tie = problem.bookings[pair_a] / top / (len(problem.current) + 1) if top > 0 else 0.0
    result = milp(np.concatenate([moved * (1.0 + tie), np.full(4 * n_t, penalty)]),
                  integrality=np.concatenate([np.full(m, int(integer)), np.zeros(4 * n_t)]),
                  bounds=Bounds(0, np.concatenate([np.ones(m), np.full(4 * n_t, np.inf)])),
                  constraints=LinearConstraint(matrix, lower, upper),
                  options={"time_limit": time_limit, "disp": False, "mip_rel_gap": gap})
    if result.x is None:
        return None
    x = result.x[:m]
    order = np.lexsort((-x, account))
    top_pair = order[np.r_[True, account[order][1:] != account[order][:-1]]] if m else order
    return pair_t[top_pair], x[top_pair], result


def _greedy_group(problem: _Problem, assigned: np.ndarray, load: np.ndarray, pool: np.ndarray,
                  tolerance: float, workload_tolerance: float | None = None,
                  strict: bool = False) -> None:
    """Rebalance one group in place: move an account of the most loaded territory to the least
    loaded one (else the next, up to GREEDY_RECEIVERS), among the GREEDY_WINDOW either side of
    the best fit (the smaller of the excess and the deficit) the one adding fewest moves (an
    account going home first), while that lowers the sum of squared deviations (so it ends).
    With ``workload_tolerance``, moves that keep both territories' workload within it (or no
    further outside) come first; ``strict``: only those."""
    target = problem.target[pool[0]]
    if target <= 0 or len(pool) < 2:
        return
    work = problem.loads(assigned)[1]
    wt = problem.workload_target[pool[0]]
    limit = wt * (np.inf if workload_tolerance is None else workload_tolerance)

    def breaks_workload(a: int, high: int, low: int) -> bool:
        """Whether moving ``a`` takes either territory's workload (further) outside the limit."""
        w = problem.workload[a]
        return (work[low] + w - wt > max(limit, work[low] - wt)
                or wt - work[high] + w > max(limit, wt - work[high]))

    members = {t: sorted((problem.potential[a], a) for a in np.flatnonzero(assigned == t))
               for t in pool}
    stuck: set[int] = set()
    for _ in range(len(assigned) + 1):
        free = [t for t in pool if t not in stuck]
        if not free:
            return
        high = max(free, key=lambda t: load[t])
        if max(load[high] - target, target - load[pool].min()) <= tolerance * target:
            return
        j, low = None, high
        for low in pool[np.argsort(load[pool], kind="stable")[:GREEDY_RECEIVERS]]:
            excess, deficit = load[high] - target, target - load[low]
            items, want = members[high], max(min(excess, deficit), 0.0)
            i = int(np.searchsorted([p for p, _ in items], want))
            near = sorted(range(max(i - GREEDY_WINDOW, 0), min(i + GREEDY_WINDOW, len(items))),
                          key=lambda j: (breaks_workload(items[j][1], high, low),
                                         _new_moves(problem, assigned, items[j][1], low),
                                         abs(items[j][0] - want)))
            j = next((j for j in near if 0 < items[j][0] < excess + deficit and low != high
                      and not (strict and breaks_workload(items[j][1], high, low))), None)
            if j is not None:
                break
        if j is None:
            stuck.add(high)
            continue
        p, a = items.pop(j)
        members[low].insert(int(np.searchsorted([q for q, _ in members[low]], p)), (p, a))
        assigned[a], load[high], load[low] = low, load[high] - p, load[low] + p
        work[high], work[low] = work[high] - problem.workload[a], work[low] + problem.workload[a]


def _new_moves(problem: _Problem, assigned: np.ndarray, account: int, to: int) -> int:
    """Change in the number of accounts moved from today's territory if ``account`` goes ``to``."""
    home = problem.current[account]
    return int(home >= 0) * (int(to != home) - int(assigned[account] != home))


def _by_territory(problem: _Problem, territories: pd.DataFrame,
                  assigned: np.ndarray) -> pd.DataFrame:
    """BY_TERRITORY_COLUMNS of an assignment."""
    potential, workload = problem.loads(assigned)
    keep = assigned >= 0
    return pd.DataFrame({
        "territory": territories["territory"].astype("string").to_numpy(),
        "rep_id": territories["rep_id"].astype("string").to_numpy(),
        "region": territories["region"].astype("string").to_numpy(),
        "accounts": np.bincount(assigned[keep], minlength=len(problem.target)),
        "workload": workload, "potential": potential, "target": problem.target,
        "deviation": _relative(potential, problem.target)})


def _balance(problem: _Problem, table: pd.DataFrame) -> Balance:
    """Balance metrics of a by-territory table."""
    potential, deviation = table["potential"].to_numpy(), table["deviation"].to_numpy()
    workload = _relative(table["workload"].to_numpy("float64"), problem.workload_target)
    if not len(table):
        return Balance(0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    return Balance(
        territories=len(table), largest=float(potential.max()), smallest=float(potential.min()),
        spread=float(deviation.max() - deviation.min()),
        max_deviation=float(np.abs(deviation).max()),
        workload_max_deviation=float(np.abs(workload).max()), cv=float(deviation.std()))


def _plan(method: str, status: str, problem: _Problem, index: pd.Index, accounts: pd.DataFrame,
          territories: pd.DataFrame, assigned: np.ndarray, seconds: float, tolerance: float,
          workload_tolerance: float | None, within_region: bool) -> TerritoryPlan:
    """The plan of an assignment: tables, balance, moves."""
    reps = territories["rep_id"].astype("string").to_numpy()
    had = problem.current >= 0
    moved = had & (assigned != problem.current)
    out = pd.DataFrame({
        "account_id": accounts["account_id"].astype("string").to_numpy(),
        "territory": index[assigned].to_numpy(), "rep_id": reps[assigned],
        "from_territory": pd.array(np.where(had, index[np.maximum(problem.current, 0)], None),
                                   dtype="string"),
        "moved": moved})
    before = _by_territory(problem, territories, problem.current)
    after = _by_territory(problem, territories, assigned)
    moves = pd.DataFrame({
        "account_id": out["account_id"], "segment": accounts["segment"].astype("string").to_numpy(),
        "region": accounts["region"].astype("string").to_numpy(),
        "from_territory": out["from_territory"],
        "from_rep": pd.array(np.where(had, reps[np.maximum(problem.current, 0)], None),
                             dtype="string"),
        "to_territory": out["territory"], "to_rep": out["rep_id"],
        "potential": problem.potential, "trailing_bookings": problem.bookings}).loc[moved]
    moves = moves.sort_values(["trailing_bookings", "account_id"], ascending=[False, True],
                              ignore_index=True)
    return TerritoryPlan(
        method=method, status=status, assignment=out, before=before, after=after,
        balance_before=_balance(problem, before), balance_after=_balance(problem, after),
        moves=moves, accounts_moved=int(moved.sum()), newly_assigned=int((~had).sum()),
        revenue_at_risk=float(problem.bookings[moved].sum()), seconds=seconds,
        tolerance=tolerance, workload_tolerance=workload_tolerance, within_region=within_region)


