"""The synthetic sales organisation behind the sample dataset: managers, reps and accounts.

Reps fill headcount "seats": when a rep leaves, the seat is backfilled after a hiring gap, and a
few seats open during the window (growth). Each rep has a region, a focus segment, a ramp period
and latent skill scores that the deal generator uses. Dates are integer day numbers (days since
1970-01-01) throughout the sample modules; ``to_timestamps`` converts them at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

REGIONS: tuple[str, ...] = ("North America", "EMEA", "APAC")
SEGMENTS: tuple[str, ...] = ("SMB", "Mid-Market", "Enterprise")
#: Share of reps whose focus is each segment, and share of accounts in each segment.
REP_FOCUS_MIX = np.array([0.40, 0.35, 0.25])
ACCOUNT_SEGMENT_MIX = np.array([0.50, 0.32, 0.18])
#: Industry -> name suffixes used for its accounts; and how common each industry is.
INDUSTRIES: dict[str, tuple[str, ...]] = {
    "Manufacturing": ("Manufacturing", "Industries", "Fabrication"),
    "Retail": ("Retail", "Outfitters", "Markets"),
    "Financial Services": ("Capital", "Financial", "Bancorp"),
    "Healthcare": ("Health", "Medical", "Clinics"),
    "Technology": ("Software", "Systems", "Labs"),
    "Logistics": ("Logistics", "Freight", "Shipping"),
    "Education": ("Learning", "Academy", "Institute"),
    "Energy": ("Energy", "Power", "Utilities"),
}
INDUSTRY_MIX = np.array([0.18, 0.12, 0.14, 0.13, 0.18, 0.10, 0.07, 0.08])
ACCOUNT_PREFIXES: tuple[str, ...] = (
    "Northwind", "Bluewater", "Summit", "Ironwood", "Crescent", "Pinecrest", "Redstone",
    "Silverline", "Harbor", "Evergreen", "Granite", "Brightpath", "Oakridge", "Lakeside",
    "Westfield", "Highland", "Meridian", "Cobalt", "Falcon", "Horizon", "Keystone", "Maple",
    "Orion", "Pioneer", "Quantum", "Riverbend", "Sterling", "Trident", "Unity", "Vanguard",
    "Willow", "Atlas", "Beacon", "Cedar", "Delta", "Eagle", "Frontier", "Golden", "Apex", "Polaris",
)
FIRST_NAMES: tuple[str, ...] = (
    "Aisha", "Ben", "Carla", "Diego", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kara",
    "Liam", "Maya", "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sam", "Tara", "Umar", "Vera",
    "Will", "Xena", "Yusuf", "Zoe", "Amir", "Bea", "Chen", "Dana", "Emil", "Fiona", "Gus",
    "Hana", "Ivan", "Jade", "Kofi", "Lena", "Marco", "Nina", "Omar", "Priya", "Raj", "Sofia",
    "Theo", "Uma", "Victor", "Wen", "Yara", "Zach", "Alma", "Bruno", "Cleo", "Dev", "Erin",
    "Felix", "Gia", "Hugo", "Ida", "Jamal",
)
LAST_NAMES: tuple[str, ...] = (
    "Abbott", "Becker", "Castro", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ito",
    "Jensen", "Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Patel", "Quist", "Rossi",
    "Schmidt", "Tanaka", "Ueda", "Varga", "Weber", "Xu", "Yilmaz", "Zimmer", "Andersen", "Brooks",
    "Costa", "Dalton", "Evans", "Ferreira", "Gupta", "Holm", "Iqbal", "Jovanovic", "Kim", "Lopez",
    "Mensah", "Novak", "Olsen", "Park", "Ramos", "Silva", "Turner", "Ulrich", "Vogel", "Walsh",
    "Young", "Zhang", "Ahmed", "Baker", "Chopra", "Diaz", "Edwards", "Fox", "Grant", "Hughes",
    "Ivanova", "Kaur",
)

SEATS_PER_SCALE = 28
MANAGERS_PER_SCALE = 7
ACCOUNTS_PER_SCALE = 2400
GROWTH_SEAT_SHARE = 0.15  # seats first filled during the window rather than before it
MEAN_TENURE_DAYS = 6.0 * 365  # ~15% yearly attrition
MIN_TENURE_DAYS = 90
MEAN_BACKFILL_DAYS = 45
RAMP_DAYS = (90, 180)  # new hires reach full productivity after 3-6 months
NO_TERMINATION = np.int64(2**40)  # day-number sentinel for reps still employed
#: Forecasting habits (index = ``Roster.habit`` code) and the share of reps with each.
HABITS: tuple[str, ...] = ("steady", "sandbagger", "optimist")
HABIT_MIX = np.array([0.6, 0.2, 0.2])


@dataclass(frozen=True)
class Roster:
    """Reps as parallel arrays (index = row of ``frame``) plus the canonical reps table."""

    hire: np.ndarray
    term: np.ndarray  # NO_TERMINATION while employed
    region: np.ndarray  # index into REGIONS
    focus: np.ndarray  # index into SEGMENTS
    ramp_days: np.ndarray
    skill: np.ndarray  # (n, 4) z-scores: win rate, deal size, cycle speed, activity
    habit: np.ndarray  # index into HABITS
    frame: pd.DataFrame


def to_timestamps(days: np.ndarray) -> np.ndarray:
    """Day numbers to datetime64[ns] values."""
    return days.astype("datetime64[D]").astype("datetime64[ns]")


def padded_ids(prefix: str, n: int, width: int) -> np.ndarray:
    """``prefix`` + zero-padded 1-based counter, e.g. R0001, as an object array."""
    width = max(width, len(str(n)))
    return (prefix + pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(width)).to_numpy(object)


def _people_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct synthetic full names (a numeric suffix once the combinations run out)."""
    combos = len(FIRST_NAMES) * len(LAST_NAMES)
    pick = rng.permutation(combos)[np.arange(n) % combos]
    first = np.array(FIRST_NAMES, dtype=object)[pick // len(LAST_NAMES)]
    last = np.array(LAST_NAMES, dtype=object)[pick % len(LAST_NAMES)]
    round_no = np.arange(n) // combos
    suffix = np.where(round_no > 0, " " + (round_no + 1).astype(str).astype(object), "")
    return first + " " + last + suffix


def assign_habits(rng: np.random.Generator, n: int) -> np.ndarray:
    """Habit codes for ``n`` reps in the ``HABIT_MIX`` proportions (at least one sandbagger and
    one optimist from three reps on), in random order."""
    odd = np.maximum(1, np.round(n * HABIT_MIX[1:])).astype(int) if n >= 3 else np.zeros(2, int)
    codes = np.repeat(np.arange(len(HABITS)), [n - odd.sum(), *odd])
    return rng.permutation(codes)


def build_roster(
    rng: np.random.Generator, start: int, end: int, scale: float,
    habit_rng: np.random.Generator,
) -> Roster:
    """Managers, seats and the reps who fill them from before ``start`` up to ``end``.

    Habits come from their own generator so that the rest of the sample does not move with them.
    """
    n_seats = max(3, round(SEATS_PER_SCALE * scale))
    n_mgr = max(3, round(MANAGERS_PER_SCALE * scale))
    mgr_region = np.arange(n_mgr) % len(REGIONS)
    seat_mgr = np.arange(n_seats) % n_mgr
    seat_focus = rng.permutation(np.searchsorted(np.cumsum(REP_FOCUS_MIX),
                                                 (np.arange(n_seats) + 0.5) / n_seats))

    growth = rng.random(n_seats) < GROWTH_SEAT_SHARE
    hire = np.where(growth, start + rng.integers(0, end - start, n_seats),
                    start - rng.integers(30, 5 * 365, n_seats))
    term = (np.maximum(hire + MIN_TENURE_DAYS, start)
            + rng.exponential(MEAN_TENURE_DAYS, n_seats).astype(np.int64))
    seats, hires, terms = [np.arange(n_seats)], [hire], [term]
    while True:  # backfill every seat whose rep left, generation by generation
        left = terms[-1] <= end
        seat = seats[-1][left]
        hire = terms[-1][left] + 1 + rng.exponential(MEAN_BACKFILL_DAYS, seat.size).astype(np.int64)
        keep = hire <= end
        if not keep.any():
            break
        seat, hire = seat[keep], hire[keep]
        term = hire + MIN_TENURE_DAYS + rng.exponential(MEAN_TENURE_DAYS, seat.size).astype(np.int64)
        seats.append(seat)
        hires.append(hire)
        terms.append(term)
    seat, hire, term = (np.concatenate(a) for a in (seats, hires, terms))
    order = np.lexsort((seat, hire))
    seat, hire, term = seat[order], hire[order], term[order]
    term = np.where(term <= end, term, NO_TERMINATION)
    n = seat.size

    names = _people_names(rng, n + n_mgr)
    mgr_names, rep_names = names[:n_mgr], names[n_mgr:]
    team_no = np.arange(n_mgr) // len(REGIONS) + 1
    mgr_team = (np.array(REGIONS, dtype=object)[mgr_region] + " Team "
                + team_no.astype(str).astype(object))
    mgr = seat_mgr[seat]
    region = mgr_region[mgr]
    frame = pd.DataFrame({
        "rep_id": padded_ids("R", n, 4),
        "name": rep_names,
        "manager": mgr_names[mgr],
        "team": mgr_team[mgr],
        "region": np.array(REGIONS, dtype=object)[region],
        "role": "AE",
        "hire_date": to_timestamps(hire),
        "termination_date": np.where(term == NO_TERMINATION, np.datetime64("NaT"),
                                     to_timestamps(np.minimum(term, end))),
    })
    return Roster(
        hire=hire, term=term, region=region, focus=seat_focus[seat],
        ramp_days=rng.integers(RAMP_DAYS[0], RAMP_DAYS[1] + 1, n),
        skill=rng.standard_normal((n, 4)), habit=assign_habits(habit_rng, n), frame=frame,
    )


@dataclass(frozen=True)
class Accounts:
    """Accounts sorted by (region, segment); ``offset``/``count`` locate each group's rows."""

    offset: np.ndarray  # (len(REGIONS), len(SEGMENTS))
    count: np.ndarray
    frame: pd.DataFrame


def build_accounts(rng: np.random.Generator, roster: Roster, scale: float) -> Accounts:
    """Accounts in every (region, segment), regions sized like their rep headcount."""
    total = max(60, round(ACCOUNTS_PER_SCALE * scale))
    region_share = np.bincount(roster.region, minlength=len(REGIONS)) / roster.region.size
    count = np.maximum(1, np.round(total * np.outer(region_share, ACCOUNT_SEGMENT_MIX))).astype(int)
    offset = (np.cumsum(count.ravel()) - count.ravel()).reshape(count.shape)
    n = int(count.sum())
    group = np.repeat(np.arange(count.size), count.ravel())
    industry = rng.choice(len(INDUSTRIES), n, p=INDUSTRY_MIX)
    suffix_no = rng.integers(0, 3, n)
    prefix = np.array(ACCOUNT_PREFIXES, dtype=object)[rng.integers(0, len(ACCOUNT_PREFIXES), n)]
    suffixes = np.array([s for v in INDUSTRIES.values() for s in v], dtype=object)
    stem = prefix + " " + suffixes[industry * 3 + suffix_no]
    number = pd.Series(stem).groupby(stem).cumcount() + 1
    frame = pd.DataFrame({
        "account_id": padded_ids("A", n, 5),
        "name": stem + " " + number.astype(str).str.zfill(3).to_numpy(object),
        "segment": np.array(SEGMENTS, dtype=object)[group % len(SEGMENTS)],
        "industry": np.array(list(INDUSTRIES), dtype=object)[industry],
        "region": np.array(REGIONS, dtype=object)[group // len(SEGMENTS)],
    })
    return Accounts(offset=offset, count=count, frame=frame)
