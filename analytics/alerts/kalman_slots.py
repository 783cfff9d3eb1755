"""Covariance recursions shared between series, for `kalman.kalman_filter`.

In a time-invariant state space model the covariance recursion (P_t, F_t, the gain) never
depends on the observations: only on the parameters, the starting covariance and on which
days were observed. Series with the same observation variance and starting covariance
therefore share one recursion (a *slot*) for as long as they have observed the same days.
A slot splits, exactly, on the first day its series disagree (a missing day of their own,
or a release inside the data), and a series whose level variance is widened (an
intervention) takes a slot of its own from that day on. Only the means are per series.

Two recursions that split do not meet again to working precision within a year: for slow
seasonal and level variances the difference decays over many hundreds of days, so slots
are never merged back (that would change the output, not just its rounding).

Layout: element-major, P[i, j, slot], so every element of all slots is one contiguous
vector and each day is a few dozen vector operations however many slots there are. The
arithmetic (order of operations included) is that of the per-series filter in
kalman_dense, so the two agree bit for bit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from analytics.alerts.kalman import Hyper

K = 8  # level, trend, 6 seasonal states


def slot_groups(obs: np.ndarray, H: np.ndarray, P: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Slot of each series and one representative series per slot: series with the same
    observation variance, starting covariance and observed days (obs [N, T]; pass zero
    columns to group by variance and covariance only)."""
    n = len(H)
    if n == 0:
        return np.zeros(0, np.intp), np.zeros(0, np.intp)
    key = np.concatenate(
        [
            np.ascontiguousarray(H).view(np.uint8).reshape(n, -1),
            np.ascontiguousarray(P).reshape(n, -1).view(np.uint8),
            np.packbits(obs, axis=1),
        ],
        axis=1,
    )
    rows = np.ascontiguousarray(key).view(np.dtype((np.void, key.shape[1]))).ravel()
    _, rep, slot = np.unique(rows, return_index=True, return_inverse=True)
    return slot.ravel(), rep


class SlotCovariances:
    """The covariance recursions of N series, one per slot; `slot` [N] maps series to slots.

    Per day: `split(obs)` (slots whose series disagree on observing the day split), then
    `innovation_var()` (F per slot), `inflate` for interventions, `gain()`, `update()`
    and `predict(hp)`."""

    def __init__(self, P: np.ndarray, H: np.ndarray):
        slot, rep = slot_groups(np.zeros((len(H), 0), bool), H, P)
        self.slot = slot.astype(np.intp)
        self.g = len(rep)
        self._alloc(max(64, 2 * self.g))
        self.P[:, :, : self.g] = P[rep].transpose(1, 2, 0)
        self.H[: self.g] = H[rep]
        self.count[: self.g] = np.bincount(self.slot, minlength=self.g)
        self.observed[: self.g] = True
        self.created = self.g  # covariance recursions started (for benchmarks)
        self.dead = 0  # slots no series uses any more

    def _alloc(self, cap: int) -> None:
        old = getattr(self, "P", None)
        g = self.g if old is not None else 0
        fields = {
            "P": (K, K, cap),
            "buf": (K, K, cap),
            "pz": (K, cap),
            "H": (cap,),
            "F": (cap,),
            "count": (cap,),
            "observed": (cap,),
        }
        for name, shape in fields.items():
            dtype = np.intp if name == "count" else bool if name == "observed" else np.float64
            new = np.zeros(shape, dtype)
            if old is not None:
                new[..., :g] = getattr(self, name)[..., :g]
            setattr(self, name, new)

    def _copy(self, src: np.ndarray) -> np.ndarray:
        """New slots that continue the recursions of slots `src`; returns their ids."""
        g, k = self.g, len(src)
        if g + k > self.H.shape[0]:
            self._alloc(2 * (g + k))
        new = np.arange(g, g + k)
        for name in ("P", "pz", "H", "F", "observed"):
            arr = getattr(self, name)
            arr[..., new] = arr[..., src]
        self.g = g + k
        self.created += k
        return new

    def _compact(self) -> None:
        """Drops the slots no series uses any more (left by interventions)."""
        keep = np.flatnonzero(self.count[: self.g] > 0)
        remap = np.full(self.g, -1, np.intp)
        remap[keep] = np.arange(len(keep))
        for name in ("P", "pz", "H", "F", "count", "observed"):
            arr = getattr(self, name)
            arr[..., : len(keep)] = arr[..., keep]
        self.slot = remap[self.slot]
        self.g = len(keep)

    def split(self, obs: np.ndarray, miss: np.ndarray) -> np.ndarray:
        """Day t observes the series `obs` [N] bool (`miss` its negation): a slot whose
        series disagree splits, the smaller side moving to a copy. Afterwards `observed`
        holds per slot. Returns the missing series."""
        if 4 * self.dead > max(self.g, 256):
            self._compact()
            self.dead = 0
        g = self.g
        missing = np.flatnonzero(miss)  # (usually far fewer than the observed series)
        if len(missing) == 0:
            self.observed[:g] = True
            return missing
        count = self.count[:g]
        n_miss = np.bincount(self.slot[missing], minlength=g)
        n_obs = count - n_miss
        mixed = (n_miss > 0) & (n_obs > 0)
        self.observed[:g] = n_obs > 0
        if not mixed.any():
            return missing
        src = np.flatnonzero(mixed)
        # Which side moves, per mixed slot: 1 = its observed series, 0 = its missing ones.
        side = np.full(g, -1, np.int8)
        side[src] = 2 * n_obs[src] <= count[src]
        moving = missing[side[self.slot[missing]] == 0]
        if (side == 1).any():
            moving = np.concatenate([moving, np.flatnonzero(obs & (side[self.slot] == 1))])
        moved = np.where(side[src] == 1, n_obs[src], n_miss[src])
        remap = np.zeros(g, np.intp)
        new = self._copy(src)
        remap[src] = new
        self.slot[moving] = remap[self.slot[moving]]
        self.count[new] = moved
        self.count[src] -= moved
        self.observed[new] = side[src] == 1
        self.observed[src] = side[src] == 0
        return missing

    def innovation_var(self) -> np.ndarray:
        """F per slot for the day (P Z' kept for the gain)."""
        g = self.g
        P, pz = self.P[:, :, :g], self.pz[:, :g]
        np.add(P[:, 0], P[:, 2], out=pz)  # P Z'
        np.add(pz[0], pz[2], out=self.F[:g])
        self.F[:g] += self.H[:g]
        return self.F[:g]

    def inflate(self, idx: np.ndarray, amount: np.ndarray) -> None:
        """Series `idx` (distinct) get their level variance increased by `amount`, each in
        a slot of its own (in place when it already is alone)."""
        src = self.slot[idx]
        alone = self.count[src] == 1
        ids = src.copy()
        if not alone.all():
            shared = ~alone
            ids[shared] = self._copy(src[shared])
            np.subtract.at(self.count, src[shared], 1)
            self.dead += int((self.count[np.unique(src[shared])] == 0).sum())
            self.count[ids[shared]] = 1
            self.slot[idx[shared]] = ids[shared]
        self.P[0, 0, ids] += amount
        P = self.P[:, :, ids]
        self.pz[:, ids] = P[:, 0] + P[:, 2]
        self.F[ids] = self.pz[0, ids] + self.pz[2, ids] + self.H[ids]

    def gain(self) -> np.ndarray:
        """Kalman gain per slot [8, g] (zero on slots not observed today)."""
        g = self.g
        gain = self.pz[:, :g] / self.F[:g]
        gain[:, ~self.observed[:g]] = 0.0
        self._gain = gain
        return gain

    def update(self) -> np.ndarray:
        """P <- P - K F K' (after `gain`); returns the filtered trend variance per slot."""
        g = self.g
        P, buf = self.P[:, :, :g], self.buf[:, :, :g]
        np.multiply(self._gain[:, None, :], self.pz[None, :, :g], out=buf)
        P -= buf
        return P[1, 1]

    def predict(self, hp: Hyper) -> None:
        """P <- T P T' + R Q R' (T is a shift plus two sums: rows, then columns)."""
        g = self.g
        P, buf = self.P[:, :, :g], self.buf[:, :, :g]
        np.add(P[0], P[1], out=buf[0])
        buf[1] = P[1]
        np.sum(P[2:], axis=0, out=buf[2])
        buf[2] *= -1.0
        buf[3:] = P[2:-1]
        np.add(buf[:, 0], buf[:, 1], out=P[:, 0])
        P[:, 1] = buf[:, 1]
        np.sum(buf[:, 2:], axis=1, out=P[:, 2])
        P[:, 2] *= -1.0
        P[:, 3:] = buf[:, 2:-1]
        P[0, 0] += hp.level
        P[1, 1] += hp.trend
        P[2, 2] += hp.seasonal

    def per_series(self) -> np.ndarray:
        """P of every series [N, 8, 8]."""
        return np.ascontiguousarray(self.P[:, :, self.slot].transpose(2, 0, 1))
