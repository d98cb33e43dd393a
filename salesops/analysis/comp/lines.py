"""Statement lines while the engine builds them: parallel arrays per part, running totals by
rep, payout period and kind, and the final ordering by (rep, period, kind)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops.analysis.comp.arrays import stable_order

#: Statement line kinds, in the order they appear on a statement.
KINDS = ("commission", "retro_uplift", "cap", "true_up", "spif", "clawback", "guarantee",
         "draw", "draw_recovery")
#: Kinds that count as earned incentive (capped, and compared by the annual true-up).
INCENTIVE_KINDS = ("commission", "retro_uplift", "cap")
KIND_CODES = {k: i for i, k in enumerate(KINDS)}
NO_BALANCE = np.iinfo(np.int64).min  # balance column sentinel for lines that move no draw


class Lines:
    """Accumulates statement line parts as parallel arrays; notes are codes into ``notes``."""

    #: Field dtypes: small codes keep the million-line concatenation and ordering cheap.
    FIELDS = {"rep": np.int32, "pp": np.int16, "measure": np.int8, "kind": np.int8,
              "src": np.int32, "date": "datetime64[D]", "credit": np.int64, "band": np.int16,
              "rate": np.float64, "cents": np.int64, "balance": np.int64, "note": np.int32}

    def __init__(self, R: int, P: int) -> None:
        self.parts: list[dict[str, np.ndarray]] = []
        self.notes: dict[str, int] = {}
        self.totals = np.zeros((R, P, len(KINDS)), np.int64)  # cents by rep, period, kind

    def add(self, rep: np.ndarray, pp: np.ndarray, kind: int | np.ndarray, cents: np.ndarray,
            **extra: object) -> None:
        """Lines of one kind; ``note`` is None, one text, or one text per line (may be None)."""
        n = np.asarray(rep).size
        if n == 0:
            return
        defaults = {"measure": -1, "src": -1, "date": np.datetime64("NaT", "D"), "credit": 0,
                    "band": -1, "rate": np.nan, "balance": NO_BALANCE, "note": None}
        part = {"rep": rep, "pp": pp, "kind": kind, "cents": cents}
        part.update({k: extra.get(k, v) for k, v in defaults.items()})
        part["note"] = self._note_codes(part["note"])
        part = {k: np.broadcast_to(np.asarray(v, self.FIELDS[k]), (n,)) if np.ndim(v) == 0
                else np.asarray(v, self.FIELDS[k]) for k, v in part.items()}
        R, P, K = self.totals.shape
        # each line's (rep, payout period, kind) key: statements are ordered by it
        part["key"] = (part["rep"].astype(np.int64) * P + part["pp"]) * K + part["kind"]
        self.totals += np.bincount(part["key"], weights=part["cents"], minlength=R * P * K
                                   ).round().astype(np.int64).reshape(R, P, K)
        self.parts.append(part)

    def _note_codes(self, note: object) -> int | np.ndarray:
        """Codes into ``notes``; a Categorical note must use all its categories."""
        if note is None:
            return -1
        if isinstance(note, str):
            return self.notes.setdefault(note, len(self.notes))
        cat = note if isinstance(note, pd.Categorical) else pd.Categorical(note)
        code = np.array([self.notes.setdefault(str(c), len(self.notes)) for c in cat.categories]
                        + [-1], self.FIELDS["note"])
        return code[cat.codes]

    def column(self, name: str) -> np.ndarray:
        """One field (or "key") of every line, in the order the parts were added."""
        if not self.parts:
            return np.zeros(0, self.FIELDS.get(name, np.int64))
        return np.concatenate([p[name] for p in self.parts])

    def ordered(self) -> dict[str, np.ndarray]:
        """Every field of every line, lines ordered by key (stable: ties keep the add order).

        Usually the first part (deal commission, most lines) is already in key order: then the
        other lines are sorted on their own and merged in, instead of sorting every line.
        """
        keys = self.column("key")
        first = self.parts[0]["key"] if self.parts else keys
        if (not self.parts or first.size < keys.size // 2
                or np.count_nonzero(first[1:] < first[:-1])):
            position = np.empty(keys.size, np.int64)
            position[stable_order(keys)] = np.arange(keys.size)
            return self._scattered(position)
        rest = keys[first.size:]
        rest_order = stable_order(rest)
        slot = np.searchsorted(first, rest[rest_order], side="right")
        is_rest = np.zeros(keys.size, bool)
        is_rest[slot + np.arange(rest.size)] = True
        is_first = ~is_rest
        out = {}
        for name, dtype in self.FIELDS.items():
            out[name] = column = np.empty(keys.size, dtype)
            values = self.parts[0][name]
            if values.strides == (0,):  # one value: fill, then overwrite the rest
                column.fill(values[0])
            else:  # boolean masks stream in order: faster than scattering by position
                column[is_first] = values
            if rest.size:
                column[is_rest] = np.concatenate([p[name] for p in self.parts[1:]])[rest_order]
        return out

    def _scattered(self, position: np.ndarray) -> dict[str, np.ndarray]:
        """Every field with each part's lines scattered to their ``position``."""
        spans, at = [], 0
        for p in self.parts:
            spans.append(position[at:at + p["key"].size])
            at += p["key"].size
        biggest = max(range(len(self.parts)), key=lambda i: spans[i].size, default=0)
        out = {}
        for name, dtype in self.FIELDS.items():
            out[name] = column = np.empty(position.size, dtype)
            parts = list(zip(self.parts, spans, strict=True))
            if parts and parts[biggest][0][name].strides == (0,):  # one value: fill, skip it
                column.fill(parts.pop(biggest)[0][name][0])
            for p, span in parts:  # scatter each part: no concatenated copy of the field
                values = p[name]
                column[span] = values[0] if values.strides == (0,) else values
        return out

    def sum_by(self, kinds: tuple[str, ...] = KINDS) -> np.ndarray:
        """(R, P) total cents of lines of ``kinds``."""
        return self.totals[:, :, [KIND_CODES[k] for k in kinds]].sum(axis=2)
