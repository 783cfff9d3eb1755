"""Response curves per territory from past campaigns' measured lifts, with partial pooling.

Each campaign i in territory t gives a relative lift y_i = incremental / counterfactual
streams (so small and large tracks pool) with a standard error from its lift interval.
The model:

    y_i ~ Normal(ceiling_t * hill(spend_i; K_t, h_t), se_i^2 + noise^2)
    (log u_t, log K_t, logit((h_t - 1) / 2)) ~ Normal(mu, diag(tau^2))

u_t is the territory's uplift at a reference spend (the median campaign spend) and the ceiling
follows from (u_t, K_t, h_t). Pooling the uplift at a spend campaigns actually use, rather than
the ceiling itself, keeps a few campaigns' evidence about the first dollars from being dragged
along when an unseen ceiling is shrunk towards the common one.

(h is kept in (1, 3): a curve never starts steeper than linear, and steeper than 3 is a
step no campaign history can tell apart.)

Empirical Bayes: each territory's parameters are its posterior mode given (mu, tau), with
a Laplace (Gauss-Newton) covariance; mu and tau are then re-estimated from those modes and
covariances (an EM step), until they settle. tau is learnt from the data, so a territory
with two campaigns sits near the all-territory curve while one with twenty follows its own
data. Parameter draws from each territory's Laplace posterior give the intervals;
territories without campaigns get draws from the common prior.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from analytics.campaigns import hill as hc
from analytics.campaigns import spread

Z90 = 1.6449  # half-width of a 90 % normal interval, in standard errors
MIN_SE = 0.01  # floor on a campaign's relative standard error (model error beyond the interval)
MIN_TAU = np.array([0.05, 0.05, 0.02])  # keeps the prior proper when territories agree
H_PRIOR = (np.log(0.25 / 0.75), 1.0)  # start of logit((h - 1) / 2): h = 1.5, loosely
N_DRAWS = 200
# Robust fits: a campaign further than this many standard deviations off its curve counts
# linearly, not quadratically (a lift confounded by an unplanned spike in its window).
ROBUST_SCALE = 2.0
INPUT_COLS = [
    "country", "platform", "spend_usd", "incremental_streams", "low", "high",
    "counterfactual_streams",
]  # fmt: skip


@dataclass(frozen=True)
class Curve:
    """One territory's response: point estimates, draws and what it was fitted on."""

    country: str
    n_campaigns: int
    ceiling: float  # relative: incremental / counterfactual streams at saturation
    half_saturation_usd: float
    hill: float
    draws: np.ndarray = field(repr=False)  # N_DRAWS x 3: ceiling, K, h

    @property
    def plateau_usd(self) -> float:
        return float(hc.plateau(self.half_saturation_usd, self.hill))

    def uplift(self, spend: np.ndarray | float) -> np.ndarray:
        return hc.hill(spend, self.ceiling, self.half_saturation_usd, self.hill)

    def uplift_draws(self, spend: float) -> np.ndarray:
        d = self.draws
        return hc.hill(spend, d[:, 0], d[:, 1], d[:, 2])


@dataclass(frozen=True)
class Fit:
    curves: dict[str, Curve]
    mu: np.ndarray  # common prior mean of (log u at the reference spend, log K, logit h)
    tau: np.ndarray  # its standard deviations
    noise: float
    n_campaigns: int
    iterations: int
    ref: float  # the reference spend of the pooled uplift (median campaign spend), USD
    beta: float = 0.0  # slope of the prior mean of log K on the log market cost
    cost_centre: float = 0.0  # mean log market cost over the fitted territories
    cost: Mapping[str, float] = field(default_factory=dict)  # market cost by country
    spread: tuple[float, float] | None = None  # (a, b) of the relative spread, if fitted

    def extra_var(self, pred: np.ndarray) -> np.ndarray:
        """Variance of the campaigns' true lifts around their curve (beyond their own
        measurement) at predictions `pred`."""
        if self.spread is None:
            return np.full(np.shape(pred), self.noise**2)
        return spread.variance(*self.spread, pred)

    def prior_curve(self, country: str, rng: np.random.Generator) -> Curve:
        """The all-territory curve (moved by the market's cost when known), for a territory
        without campaigns."""
        mu = self.mu.copy()
        if self.cost.get(country, 0) > 0:
            mu[1] += self.beta * (np.log(self.cost[country]) - self.cost_centre)
        theta = rng.normal(mu, self.tau, size=(N_DRAWS, 3))
        c, k, h = _to_params(mu, self.ref)[0]
        return Curve(country, 0, float(c), float(k), float(h), _to_params(theta, self.ref))

    def params(self, theta: np.ndarray) -> np.ndarray:
        """(ceiling, K, h) rows of parameter vectors on the fit's scale."""
        return _to_params(theta, self.ref)


def prepare(lift: pd.DataFrame) -> pd.DataFrame:
    """Usable campaigns with y (relative lift) and se (its standard error) columns."""
    df = lift[INPUT_COLS].copy()
    ok = (
        df["incremental_streams"].notna()
        & (df["counterfactual_streams"] > 0)
        & (df["spend_usd"] > 0)
    )
    df = df[ok].copy()
    cf = df["counterfactual_streams"].astype(float)
    df["y"] = df["incremental_streams"] / cf
    width = (df["high"] - df["low"]).astype(float) / (2 * Z90)
    df["se"] = np.maximum((width / cf).fillna(np.inf), MIN_SE)
    df.loc[~np.isfinite(df["se"]), "se"] = df.loc[np.isfinite(df["se"]), "se"].median()
    return df.reset_index(drop=True)


def _to_params(theta: np.ndarray, ref: float) -> np.ndarray:
    """(log u at spend `ref`, log K, logit((h - 1) / 2)) -> (ceiling, K, h)."""
    theta = np.atleast_2d(theta)
    out = np.exp(theta)
    out[:, 2] = 1.0 + 2.0 / (1.0 + np.exp(-theta[:, 2]))
    # u = c x^h / (1 + x^h) at x = ref / K  =>  c = u (1 + (K / ref)^h)
    out[:, 0] = out[:, 0] * (1.0 + np.power(out[:, 1] / ref, out[:, 2]))
    return out


def _residuals(theta, spend, y, sd, mu, tau, ref):
    c, k, h = _to_params(theta, ref)[0]
    pred = hc.hill(spend, c, k, h)
    return np.concatenate([(y - pred) / sd, (theta - mu) / tau])


def _map(theta0, spend, y, sd, mu, tau, ref, robust=False) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mode and Laplace covariance of one territory's parameters (robust: soft-L1
    beyond ROBUST_SCALE standard deviations; least_squares' Jacobian is then the one whose
    J'J approximates the robust cost's Hessian, so the covariance stays consistent)."""
    lo, hi = mu - 6 * tau, mu + 6 * tau
    x0 = np.clip(theta0, lo + 1e-9, hi - 1e-9)
    res = least_squares(
        _residuals, x0, args=(spend, y, sd, mu, tau, ref), bounds=(lo, hi),
        loss="soft_l1" if robust else "linear", f_scale=ROBUST_SCALE,
    )  # fmt: skip
    j = res.jac
    cov = np.linalg.pinv(j.T @ j)
    return res.x, cov


def fit(
    lift: pd.DataFrame,
    *,
    cost: Mapping[str, float] | None = None,
    seed: int = 0,
    max_iter: int = 30,
    pooled: bool = True,
    spread_model: str = "constant",
    robust: bool = False,
) -> Fit:
    """Fit every territory's curve from campaign lifts (INPUT_COLS). Raises ValueError when
    no campaign has a usable lift. `cost`: what advertising costs per country (e.g. the
    campaigns' median CPM, USD); without it, the territory's median campaign spend stands in.
    `pooled=False` fits each territory on its own under a wide fixed prior (the comparison
    the bench measures pooling against). `spread_model`: how the campaigns' true lifts
    scatter around their curve beyond their own intervals: "constant" (one extra standard
    deviation) or "relative" (an absolute part plus one that grows with the curve's
    prediction, `spread`; what the lift pooling uses: it weights the small lifts' evidence
    about a curve's first dollars as the precise large lifts'). `robust`: a few lifts far off
    their territory's curve (a window the counterfactual could not foresee, such as a viral
    spike during the campaign) pull it with a soft-L1 loss instead of a squared one (the
    budget job's curves)."""
    if spread_model not in ("constant", "relative"):
        raise ValueError(f"unknown spread_model {spread_model!r}")
    relative = spread_model == "relative"
    df = prepare(lift)
    if df.empty:
        raise ValueError("no campaign with a measured lift to fit response curves on")
    groups = {c: g for c, g in df.groupby("country", sort=True)}
    # An expensive market needs more spend to saturate: the prior mean of log K moves with
    # the territory's log market cost (slope `beta`, estimated).
    cost = dict(cost or {})
    have = all(cost.get(c, 0) > 0 for c in groups)
    z = np.log([cost[c] if have else g["spend_usd"].median() for c, g in groups.items()])
    centre = float(z.mean())
    z = z - centre
    beta = 0.0
    spend_med = float(df["spend_usd"].median())
    # Start: one curve for every territory, loosely anchored.
    mu = np.array([np.log(max(df["y"].median(), 0.01)), np.log(spend_med), H_PRIOR[0]])
    tau = np.array([1.0, 1.0, H_PRIOR[1]]) * (1.0 if pooled else 3.0)
    noise = 0.0
    rel = (0.0, 0.0)  # (a, b) of the relative spread (spread.py), when relative
    thetas = {c: mu.copy() for c in groups}
    covs: dict[str, np.ndarray] = {}
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        for i, (c, g) in enumerate(groups.items()):
            if relative:  # weights from the previous iteration's curve
                ck, kk, hk = _to_params(thetas[c], spend_med)[0]
                pred = hc.hill(g["spend_usd"].to_numpy(float), ck, kk, hk)
                sd = np.sqrt(g["se"].to_numpy() ** 2 + spread.variance(*rel, pred))
            else:
                sd = np.sqrt(g["se"].to_numpy() ** 2 + noise**2)
            mu_t = mu + np.array([0.0, beta * z[i], 0.0])
            thetas[c], covs[c] = _map(
                thetas[c],
                g["spend_usd"].to_numpy(float),
                g["y"].to_numpy(float),
                sd,
                mu_t,
                tau,
                spend_med,
                robust,
            )
        t = np.array(list(thetas.values()))
        v = np.array([np.diag(covs[c]) for c in groups])
        new_mu = t.mean(axis=0)
        new_beta = float((z * t[:, 1]).sum() / (z @ z)) if len(z) > 2 and z @ z > 0 else 0.0
        expected = new_mu + np.outer(new_beta * z, [0.0, 1.0, 0.0])  # each territory's prior mean
        new_tau = np.maximum(np.sqrt(((t - expected) ** 2 + v).mean(axis=0)), MIN_TAU)
        noise = _extra_noise(groups, thetas, spend_med)
        if relative:
            rel = _relative_noise(groups, thetas, spend_med)
        moved = (
            np.abs(new_mu - mu).max() + np.abs(np.log(new_tau / tau)).max() + abs(new_beta - beta)
        )
        if not pooled:
            break
        mu, tau, beta = new_mu, new_tau, new_beta
        if moved < 1e-3:
            break
    rng = np.random.default_rng(seed)
    curves = {}
    for c, g in groups.items():
        draws = rng.multivariate_normal(thetas[c], covs[c], size=N_DRAWS, method="eigh")
        ck, kk, hk = _to_params(thetas[c], spend_med)[0]
        curves[c] = Curve(c, len(g), float(ck), float(kk), float(hk), _to_params(draws, spend_med))
    return Fit(
        curves, mu, tau, noise, len(df), iterations, spend_med, beta, centre,
        cost if have else {}, rel if relative else None,
    )  # fmt: skip


def _extra_noise(groups, thetas, ref: float) -> float:
    """Spread of the relative lifts around the curves beyond their stated standard errors
    (method of moments; 0 when the intervals already explain it)."""
    excess, n = 0.0, 0
    for c, g in groups.items():
        ck, kk, hk = _to_params(thetas[c], ref)[0]
        r = g["y"].to_numpy() - hc.hill(g["spend_usd"].to_numpy(float), ck, kk, hk)
        excess += float((r**2 - g["se"].to_numpy() ** 2).sum())
        n += len(g)
    return float(np.sqrt(max(excess / max(n, 1), 0.0)))


def _relative_noise(groups, thetas, ref: float) -> tuple[float, float]:
    """(a, b) of the lifts' spread around the current curves beyond their standard errors
    (spread.fit)."""
    r, known, pred = [], [], []
    for c, g in groups.items():
        ck, kk, hk = _to_params(thetas[c], ref)[0]
        p = hc.hill(g["spend_usd"].to_numpy(float), ck, kk, hk)
        r.append(g["y"].to_numpy() - p)
        known.append(g["se"].to_numpy() ** 2)
        pred.append(p)
    return spread.fit(np.concatenate(r), np.concatenate(known), np.concatenate(pred))


def curves_for(fit_: Fit, countries: list[str], seed: int = 0) -> dict[str, Curve]:
    """Fitted curves for `countries`, the common prior's curve where a country has none."""
    rng = np.random.default_rng(seed)
    return {c: fit_.curves.get(c) or fit_.prior_curve(c, rng) for c in countries}


# -- persisted form ------------------------------------------------------------------------------
FRAME_COLS = [
    "country", "platform", "n_campaigns", "ceiling", "half_saturation_usd", "hill",
    "plateau_usd", "cap_usd", "cpa_usd", "window_days", "ceiling_draws", "k_draws", "hill_draws",
]  # fmt: skip


def to_frame(
    fit_: Fit, countries: list[str], lift: pd.DataFrame, window_days: float
) -> pd.DataFrame:
    """One row per country (fitted, or the all-territory curve): what the budget job
    persists. The cap is the plateau: past it extra spend stops paying."""
    df = prepare(lift)
    spent = df.groupby("country")["spend_usd"].sum()
    gained = df.groupby("country")["incremental_streams"].sum()
    rows = []
    for c, cv in curves_for(fit_, sorted(set(countries) | set(fit_.curves))).items():
        cpa = spent.get(c, 0.0) / gained[c] if gained.get(c, 0.0) > 0 else None
        rows.append(
            (c, "all", cv.n_campaigns, cv.ceiling, cv.half_saturation_usd, cv.hill,
             cv.plateau_usd, cv.plateau_usd, cpa, window_days,
             cv.draws[:, 0].tolist(), cv.draws[:, 1].tolist(), cv.draws[:, 2].tolist())
        )  # fmt: skip
    return pd.DataFrame(rows, columns=FRAME_COLS)


def from_frame(df: pd.DataFrame) -> dict[str, Curve]:
    """Curves of the persisted rows (platform 'all'), by country."""
    out = {}
    for r in df[df["platform"] == "all"].itertuples():
        draws = np.column_stack([r.ceiling_draws, r.k_draws, r.hill_draws]).astype(float)
        out[r.country] = Curve(
            r.country, int(r.n_campaigns), float(r.ceiling), float(r.half_saturation_usd),
            float(r.hill), draws,
        )  # fmt: skip
    return out
