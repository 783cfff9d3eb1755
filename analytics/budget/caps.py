"""Territory budget caps and the suggested split.

Per territory:
- cost per result: the median cost per person reached in its past campaigns (spend / reach),
  shrunk towards the all-territory median when the territory has few campaigns;
- reach model: the addressable audience of the selected groups, and the spend that reaches
  it `frequency` times (spending more cannot reach anyone new);
- response curve: incremental streams = B * u * (1 - exp(-spend / s)), B the track's streams
  in the territory over a campaign, u the maximum uplift and s = a * cost_per_result + b the
  spend scale, fitted on past campaigns' observed lifts (u per territory, shrunk);
- cap: the smaller of the reach limit and the spend at which the marginal cost per
  incremental stream exceeds `multiple` x the median (over the territories considered) of
  the first dollar's cost per incremental stream.
Then the split of a total budget that maximises expected incremental streams under the caps
(equal marginal returns, found by bisection). Pure numpy / pandas.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

DEFAULT_MULTIPLE = 3.0
DEFAULT_FREQUENCY = 3.0
SHRINK_CAMPAIGNS = 10.0  # prior weight, in campaigns, of the all-territory figures


@dataclass(frozen=True)
class ResponseFit:
    uplift: float  # u, all territories
    a: float  # spend scale per unit cost per result
    b: float  # spend scale intercept, USD
    sse: float
    n: int


def _saturation(spend: np.ndarray, scale: np.ndarray) -> np.ndarray:
    return 1.0 - np.exp(-np.asarray(spend, float) / np.asarray(scale, float))


def fit_response(
    spend: np.ndarray,
    cost_per_result: np.ndarray,
    lift: np.ndarray,
    weight: np.ndarray | None = None,
) -> ResponseFit:
    """Fit lift ~ u * (1 - exp(-spend / (a * cpr + b))) by weighted least squares.

    `lift` is each past campaign's observed relative uplift (incremental / baseline streams);
    `weight` its baseline streams (bigger baselines measure lift with less noise). For each
    (a, b) on a log grid u has a closed form; the best triple is kept.
    """
    spend = np.asarray(spend, float)
    cpr = np.asarray(cost_per_result, float)
    lift = np.asarray(lift, float)
    w = np.ones_like(lift) if weight is None else np.asarray(weight, float)
    best = None
    for a in np.geomspace(1e2, 1e6, 41):
        for b in (0.0, 50.0, 100.0, 250.0, 500.0, 1000.0):
            g = _saturation(spend, a * cpr + b)
            denom = float((w * g * g).sum())
            if denom <= 0:
                continue
            u = max(0.0, float((w * g * lift).sum()) / denom)
            err = float((w * (lift - u * g) ** 2).sum())
            if best is None or err < best.sse:
                best = ResponseFit(u, float(a), b, err, len(lift))
    if best is None:
        raise ValueError("no campaigns to fit a response curve on")
    return best


def territory_uplift(
    fit: ResponseFit, spend: np.ndarray, scale: np.ndarray, lift: np.ndarray, w: np.ndarray
) -> float:
    """u for one territory: its own least-squares u, shrunk towards the global one."""
    g = _saturation(spend, scale)
    denom = float((w * g * g).sum())
    n = len(lift)
    if n == 0 or denom <= 0:
        return fit.uplift
    own = max(0.0, float((w * g * lift).sum()) / denom)
    return (n * own + SHRINK_CAMPAIGNS * fit.uplift) / (n + SHRINK_CAMPAIGNS)


def shrunk_median(values: pd.Series, groups: pd.Series) -> pd.Series:
    """Per-group median shrunk towards the overall median by SHRINK_CAMPAIGNS."""
    overall = float(values.median())
    g = values.groupby(groups)
    n, med = g.size(), g.median()
    return (n * med + SHRINK_CAMPAIGNS * overall) / (n + SHRINK_CAMPAIGNS)


@dataclass(frozen=True)
class TerritoryResponse:
    """Everything needed to price spend in one territory for one track."""

    country: str
    base_streams: float  # B
    uplift: float  # u
    scale: float  # s, USD
    cost_per_result: float  # USD per person reached
    audience: float  # addressable people in the selected groups

    def expected(self, spend: float) -> float:
        """Expected incremental streams for `spend` USD."""
        return self.base_streams * self.uplift * (1.0 - math.exp(-max(spend, 0.0) / self.scale))

    def marginal_cost(self, spend: float) -> float:
        """USD per extra incremental stream at `spend` (inf when nothing responds)."""
        rate = self.base_streams * self.uplift / self.scale * math.exp(-spend / self.scale)
        return math.inf if rate <= 0 else 1.0 / rate

    def reach_limit(self, frequency: float = DEFAULT_FREQUENCY) -> float:
        return self.audience * self.cost_per_result * frequency


def caps(
    responses: list[TerritoryResponse],
    *,
    multiple: float = DEFAULT_MULTIPLE,
    frequency: float = DEFAULT_FREQUENCY,
    reference: float | None = None,
) -> dict[str, float]:
    """Cap per territory: min(reach limit, spend where marginal cost = multiple x reference).

    `reference` defaults to the median first-dollar marginal cost over `responses`.
    """
    first = [r.marginal_cost(0.0) for r in responses]
    finite = [c for c in first if math.isfinite(c)]
    ref = reference if reference is not None else (float(np.median(finite)) if finite else 0.0)
    out = {}
    for r, mc0 in zip(responses, first, strict=True):
        if not math.isfinite(mc0) or ref <= 0:
            out[r.country] = 0.0
            continue
        # s * exp(x / s) / (B u) = multiple * ref  =>  x = s * ln(multiple * ref / mc0)
        x = r.scale * math.log(multiple * ref / mc0) if multiple * ref > mc0 else 0.0
        out[r.country] = float(max(0.0, min(x, r.reach_limit(frequency))))
    return out


def allocate(
    responses: list[TerritoryResponse], budget: float, limits: dict[str, float]
) -> dict[str, float]:
    """The split of `budget` maximising total expected incremental streams with
    0 <= x_T <= limits[T]: every funded territory at the same marginal return (bisection)."""
    if budget <= 0 or not responses:
        return {r.country: 0.0 for r in responses}
    total_cap = sum(limits.get(r.country, 0.0) for r in responses)
    if total_cap <= budget:
        return {r.country: float(limits.get(r.country, 0.0)) for r in responses}

    def spend_at(rate: float) -> dict[str, float]:
        out = {}
        for r in responses:
            peak = r.base_streams * r.uplift / r.scale  # streams per USD at the first dollar
            x = r.scale * math.log(peak / rate) if peak > rate > 0 else 0.0
            out[r.country] = min(max(x, 0.0), limits.get(r.country, 0.0))
        return out

    lo, hi = 1e-12, max(r.base_streams * r.uplift / r.scale for r in responses) + 1e-12
    for _ in range(100):
        mid = math.sqrt(lo * hi)
        if sum(spend_at(mid).values()) > budget:
            lo = mid
        else:
            hi = mid
    return spend_at(hi)


@dataclass(frozen=True)
class Notice:
    country: str
    requested: float
    allowed: float
    message: str


def apply_caps(
    plan: dict[str, float], limits: dict[str, float], names: dict[str, str] | None = None
) -> tuple[dict[str, float], list[Notice]]:
    """Reduce each amount above its territory's cap to the cap, with a notice saying so."""
    names = names or {}
    out, notices = {}, []
    for country, amount in plan.items():
        cap = limits.get(country)
        if cap is not None and amount > cap + 0.005:
            out[country] = round(cap, 2)
            name = names.get(country, country)
            notices.append(
                Notice(
                    country,
                    amount,
                    out[country],
                    f"Spend above ${cap:,.0f} in {name} is unlikely to be effective; "
                    f"reduced to ${cap:,.0f}.",
                )
            )
        else:
            out[country] = amount
    return out, notices


def validate_plan(plan: dict[str, object], budget: float | None) -> list[str]:
    """Messages for amounts that are not numbers >= 0 and a total above the budget."""
    errors = []
    total = 0.0
    for country, raw in plan.items():
        try:
            value = float(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            errors.append(f"{country}: the amount must be a number of US dollars.")
            continue
        if math.isnan(value) or value < 0:
            errors.append(f"{country}: the amount must be a number of at least $0.")
            continue
        total += value
    if budget is not None and total > budget + 0.005:
        errors.append(
            f"The territories add up to ${total:,.2f}, more than the budget of ${budget:,.2f}."
        )
    return errors
