"""Audience generation for one track: which audience groups and territories to target.

For an asset i0 and a campaign goal: its predicted engagement row (model look-up, or fold-in
when i0 is not in its category's model), the Delta classes, goal-weighted scores with rho,
the top groups per territory until their weights exceed kappa, territory scores S(T) and the
selection rule, and interests from the Omega decomposition. Pure numpy / pandas.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

GOALS = ("expand", "accelerate", "sustain")
# Which Delta class each goal favours (J_alpha, J_beta, J_gamma).
GOAL_CLASS = {"expand": "expand", "accelerate": "accelerate", "sustain": "sustain"}
DEFAULT_RHO = 0.5
DEFAULT_KAPPA_SHARE = 0.5
DEFAULT_SIGMAS = 1.0


def fold_in(
    e_est: np.ndarray, y: np.ndarray, e_row: np.ndarray, lam: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fold-in of a track i0 outside the model's assets I: append E_i0 to E_est to get E*;
    then X_hat from (E*, Y) and Y_hat from (E*, X_hat). Returns (X_hat, Y_hat, E_hat of i0)."""
    k = y.shape[1]
    eye = lam * np.eye(k)
    e_star = np.vstack([e_est, np.asarray(e_row, float)[None, :]])
    x_hat = np.linalg.solve(y.T @ y + eye, (e_star @ y).T).T
    y_hat = np.linalg.solve(x_hat.T @ x_hat + eye, (e_star.T @ x_hat).T).T
    return x_hat, y_hat, x_hat[-1] @ y_hat.T


def delta_classes(e_row: np.ndarray, ehat_row: np.ndarray, sigmas: float = DEFAULT_SIGMAS):
    """Delta = E_hat - E; 'expand' (J_alpha) where Delta > mu + s*sigma, 'accelerate'
    (J_beta) where Delta < mu - s*sigma, else 'sustain' (J_gamma). sigma is the sample
    standard deviation (ddof=1). Returns (delta, classes)."""
    delta = np.asarray(ehat_row, float) - np.asarray(e_row, float)
    mu = float(delta.mean()) if len(delta) else 0.0
    sd = float(delta.std(ddof=1)) if len(delta) > 1 else 0.0
    cls = np.full(len(delta), "sustain", dtype=object)
    cls[delta > mu + sigmas * sd] = "expand"
    cls[delta < mu - sigmas * sd] = "accelerate"
    return delta, cls


def goal_scores(
    e_row: np.ndarray, ehat_row: np.ndarray, classes: np.ndarray, goal: str, rho: float
) -> np.ndarray:
    """E*_j := (1 + rho * 1[j in Lambda]) * max(E_hat_j, E_j), Lambda the goal's class."""
    if goal not in GOALS:
        raise ValueError(f"goal must be one of {', '.join(GOALS)}, not {goal!r}")
    if not 0.0 <= rho <= 1.0:
        raise ValueError("rho must be between 0 and 1")
    boost = 1.0 + rho * (np.asarray(classes) == GOAL_CLASS[goal])
    return boost * np.maximum(np.asarray(ehat_row, float), np.asarray(e_row, float))


@dataclass(frozen=True)
class TerritoryScore:
    country: str
    score: float  # S(T)
    top_score: float  # E* of the territory's best group
    groups: tuple[int, ...]  # J_T*: group positions, best first
    selected: bool  # the selection rule: top group's E* >= S*
    rank: int = 0  # 1 = best S(T) among all territories


def territory_scores(
    countries: np.ndarray,
    weights: np.ndarray,
    scores: np.ndarray,
    *,
    kappa: float | None = None,
    kappa_share: float = DEFAULT_KAPPA_SHARE,
) -> list[TerritoryScore]:
    """S(T) over J_T*, ranked best first.

    J_T* = the fewest top groups of T (by E*) whose weights sum to more than kappa (all of
    T's groups when they never do). kappa is absolute when given, else `kappa_share` of the
    territory's total weight (an absolute kappa in streams would favour big markets).
    Selection: territories whose top group's E* is at least the best S(T), S*; a strict
    '>' would never select the best territory itself when J_T* is one group.
    """
    countries = np.asarray(countries)
    weights = np.asarray(weights, float)
    scores = np.asarray(scores, float)
    out = []
    for country in pd.unique(countries):
        idx = np.flatnonzero(countries == country)
        order = idx[np.argsort(-scores[idx], kind="stable")]
        thresh = kappa if kappa is not None else kappa_share * weights[idx].sum()
        cum = np.cumsum(weights[order])
        over = np.flatnonzero(cum > thresh)
        top = order[: over[0] + 1] if len(over) else order
        w = weights[top]
        s = float((w * scores[top]).sum() / w.sum()) if w.sum() > 0 else float(scores[top].mean())
        out.append(TerritoryScore(str(country), s, float(scores[order[0]]), tuple(top), False))
    if not out:
        return out
    best = max(t.score for t in out)
    out = [
        TerritoryScore(t.country, t.score, t.top_score, t.groups, t.top_score >= best) for t in out
    ]
    ranked = sorted(out, key=lambda t: (-t.score, t.country))
    return [dataclasses.replace(t, rank=i) for i, t in enumerate(ranked, 1)]


def omega_row(x: np.ndarray, lam: float, i0: int) -> np.ndarray:
    """Row i0 of Omega = X (X^T X + lam I)^-1 X^T - I (so that Delta = Omega E)."""
    k = x.shape[1]
    row = x[i0] @ np.linalg.solve(x.T @ x + lam * np.eye(k), x.T)
    row[i0] -= 1.0
    return row


def interest_assets(
    x: np.ndarray, lam: float, e: np.ndarray, i0: int, cols: np.ndarray, top: int = 5
) -> list[tuple[int, float]]:
    """Assets with the largest positive contribution Omega[i0, i] * sum_{j in cols} E[i, j]
    to i0's deltas over `cols`, best first; i0 itself excluded."""
    if len(cols) == 0:
        return []
    contrib = omega_row(x, lam, i0) * e[:, cols].sum(axis=1)
    contrib[i0] = -np.inf
    order = np.argsort(-contrib, kind="stable")
    return [(int(i), float(contrib[i])) for i in order[:top] if contrib[i] > 0]


@dataclass(frozen=True)
class Audience:
    delta: np.ndarray
    classes: np.ndarray
    scores: np.ndarray  # E*
    ehat: np.ndarray
    e: np.ndarray
    territories: list[TerritoryScore]
    folded_in: bool
    interests: dict[str, list[tuple[int, float]]]  # country -> [(asset position, contrib)]


def audience(
    e: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    lam: float,
    countries: np.ndarray,
    weights: np.ndarray,
    goal: str,
    *,
    i0: int | None = None,
    e_row: np.ndarray | None = None,
    rho: float = DEFAULT_RHO,
    kappa_share: float = DEFAULT_KAPPA_SHARE,
    sigmas: float = DEFAULT_SIGMAS,
    top_territories: int | None = None,
    top_interests: int = 5,
    include: tuple[str, ...] = (),
) -> Audience:
    """The whole online step for one asset: look-up when `i0` indexes a model row, else
    fold-in of `e_row` (its engagement over the model's groups, model scale)."""
    if i0 is not None:
        e_i, ehat = e[i0], x[i0] @ y.T
        e_full, x_full, pos, folded = e, x, i0, False
    else:
        if e_row is None:
            raise ValueError("an asset outside the model needs its engagement row")
        x_full, _, ehat = fold_in(x @ y.T, y, e_row, lam)
        e_i, pos, folded = np.asarray(e_row, float), len(e), True
        e_full = np.vstack([e, e_i[None, :]])
    delta, cls = delta_classes(e_i, ehat, sigmas)
    scores = goal_scores(e_i, ehat, cls, goal, rho)
    terr = territory_scores(countries, weights, scores, kappa_share=kappa_share)
    if top_territories is not None:
        # the best territories, plus any the caller asked for by name (e.g. from a hand-off)
        terr = terr[:top_territories] + [t for t in terr[top_territories:] if t.country in include]
    interests = {}
    for t in terr:
        cols = np.asarray(t.groups)
        goal_cols = cols[cls[cols] == GOAL_CLASS[goal]]
        interests[t.country] = interest_assets(
            x_full, lam, e_full, pos, goal_cols if len(goal_cols) else cols, top_interests
        )
    return Audience(delta, cls, scores, ehat, e_i, terr, folded, interests)
