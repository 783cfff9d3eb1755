"""Qini / uplift curves: how much of the incremental streams targeting the best-scored
segments first captures, against random targeting.

Segments are taken best score first; x is the share of the audience targeted (the segments'
baseline streams, so a big segment counts for more than a small one) and y the incremental
streams captured. Random targeting is the straight line to the total. The Qini coefficient
is the area between a curve and that line (in share-of-audience x incremental-streams units):
only its ratio to another curve's on the same segments (the oracle's) is compared."""

from __future__ import annotations

import numpy as np
import pandas as pd


def curve(score: np.ndarray, incremental: np.ndarray, baseline: np.ndarray) -> pd.DataFrame:
    """share_targeted, incremental (captured), random: one row per segment plus the origin.
    Ties in score are taken in the given order (stable sort)."""
    score, inc, base = (np.asarray(a, float) for a in (score, incremental, baseline))
    order = np.argsort(-score, kind="stable")
    total_base = base.sum()
    x = np.concatenate([[0.0], np.cumsum(base[order]) / (total_base if total_base > 0 else 1)])
    y = np.concatenate([[0.0], np.cumsum(inc[order])])
    return pd.DataFrame({"share_targeted": x, "incremental": y, "random": x * inc.sum()})


def coefficient(frame: pd.DataFrame) -> float:
    """Area between the curve and random targeting (trapezoids over share_targeted)."""
    gap = (frame["incremental"] - frame["random"]).to_numpy()
    x = frame["share_targeted"].to_numpy()
    return float(np.sum((gap[1:] + gap[:-1]) / 2 * np.diff(x)))


def ratio_to_oracle(
    score: np.ndarray, true_incremental: np.ndarray, true_baseline: np.ndarray
) -> tuple[float, float, float]:
    """(model Qini, oracle Qini, ratio) on planted truth: the oracle ranks segments by their
    true relative uplift."""
    inc, base = np.asarray(true_incremental, float), np.asarray(true_baseline, float)
    truth = np.divide(inc, base, out=np.zeros_like(inc), where=base > 0)
    model = coefficient(curve(score, inc, base))
    oracle = coefficient(curve(truth, inc, base))
    return model, oracle, (model / oracle if oracle > 0 else float("nan"))
