"""BG/NBD "probability alive" of Fader, Hardie & Lee (2005), DOMAIN.md §8.

Per client: ``x`` = repeat purchase days (distinct purchase days − 1),
``t_x`` = weeks from the first to the last purchase day, ``T`` = weeks from
the first purchase day to the as-of date (days / 7).

:func:`fit` maximises the log-likelihood over log-parameters with
``scipy.optimize.minimize``; the per-client log-likelihood is the standard

    ln L = A1 + A2 + ln(exp(A3) + [x > 0]·exp(A4))
    A1 = lnΓ(r+x) − lnΓ(r) + r·ln α
    A2 = ln B(a, b+x) − ln B(a, b)
    A3 = −(r+x)·ln(α+T)
    A4 = ln a − ln(b+x−1) − (r+x)·ln(α+t_x)

with the last term taken by ``logsumexp``. Clients with the same
``(x, t_x, T)`` are pooled with a weight, so large data sets stay fast.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, digamma, expit, gammaln, logsumexp

from kamcore.settings import DEFAULT, Settings

PARAMS = ("r", "alpha", "a", "b")
_BOUND = 1e6          # a parameter beyond this (or below 1/this) sits on an edge of the parameter space
MIN_CLIENTS = 20      # fewer clients than this cannot pin down four parameters


@dataclass(frozen=True)
class BGNBDFit:
    """Fitted parameters, the maximised log-likelihood and whether the fit can be trusted."""

    r: float
    alpha: float
    a: float
    b: float
    loglik: float
    converged: bool
    n: int
    message: str

    def params(self) -> dict:
        return {"r": self.r, "alpha": self.alpha, "a": self.a, "b": self.b}

    def as_dict(self) -> dict:
        return asdict(self)


def _arrays(x, t_x, T) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float)
    t_x = np.asarray(t_x, dtype=float)
    T = np.asarray(T, dtype=float)
    if not (x.shape == t_x.shape == T.shape):
        raise ValueError(f"x, t_x and T must have the same length, not {x.shape}, {t_x.shape}, {T.shape}")
    return x, t_x, T


def _log_beta_ratio(a: float, b: float, x: np.ndarray) -> np.ndarray:
    """ln B(a, b+x) − ln B(a, b). For whole x it is Σ_{j<x} ln(1 − a/(a+b+j)), summed with ``log1p``
    (exact also for very large a and b, where two ``betaln`` values would cancel)."""
    whole = np.all(x == np.floor(x)) and (len(x) == 0 or x.max() < 1e6)
    if not whole:
        return betaln(a, b + x) - betaln(a, b)
    top = int(x.max()) if len(x) else 0
    cum = np.concatenate([[0.0], np.cumsum(np.log1p(-a / (a + b + np.arange(top))))])
    return cum[x.astype(np.int64)]


def log_likelihood(params, x, t_x, T, weights=None) -> np.ndarray | float:
    """Per-client log-likelihood for parameters ``(r, alpha, a, b)`` (summed with ``weights`` when given)."""
    r, alpha, a, b = (float(p) for p in params)
    x, t_x, T = _arrays(x, t_x, T)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = _log_beta_ratio(a, b, x)
    a3 = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(repeat, np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0)) - (r + x) * np.log(alpha + t_x),
                      -np.inf)
    ll = a1 + a2 + logsumexp(np.stack([a3, a4]), axis=0)
    if weights is None:
        return ll
    return float(np.dot(weights, ll))


def _cum_inverse(c: float, x: np.ndarray) -> np.ndarray:
    """Σ_{j<x} 1/(c+j) for whole x >= 0 (ψ(c+x) − ψ(c) for non-whole x)."""
    whole = np.all(x == np.floor(x)) and (len(x) == 0 or x.max() < 1e6)
    if not whole:
        return digamma(c + x) - digamma(c)
    top = int(x.max()) if len(x) else 0
    return np.concatenate([[0.0], np.cumsum(1.0 / (c + np.arange(top)))])[x.astype(np.int64)]


def gradient(params, x, t_x, T, weights) -> np.ndarray:
    """∂/∂(r, alpha, a, b) of the weighted log-likelihood (analytic; the fit's optimiser uses it)."""
    r, alpha, a, b = (float(p) for p in params)
    x, t_x, T = _arrays(x, t_x, T)
    a3 = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(repeat, np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0)) - (r + x) * np.log(alpha + t_x),
                      -np.inf)
    top = np.maximum(a3, a4)
    e3, e4 = np.exp(a3 - top), np.exp(a4 - top)
    w3, w4 = e3 / (e3 + e4), e4 / (e3 + e4)             # weights of the two terms of the last log-sum
    log_at = np.log(alpha + T)
    log_atx = np.log(alpha + t_x)
    d_r = _cum_inverse(r, x) + np.log(alpha) - w3 * log_at - w4 * log_atx
    d_alpha = r / alpha - w3 * (r + x) / (alpha + T) - w4 * (r + x) / (alpha + t_x)
    d_a = -_cum_inverse(a + b, x) + np.where(repeat, w4 / a, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        d_b = _cum_inverse(b, x) - _cum_inverse(a + b, x) - np.where(repeat, w4 / np.where(repeat, b + x - 1, 1.0), 0.0)
    return np.array([np.dot(weights, d) for d in (d_r, d_alpha, d_a, d_b)])


def _failed(n: int, why: str, loglik: float = float("nan"), params=(np.nan,) * 4) -> BGNBDFit:
    r, alpha, a, b = (float(p) for p in params)
    return BGNBDFit(r, alpha, a, b, float(loglik), False, n, why)


def _wsum(w: np.ndarray, values: np.ndarray) -> float:
    """Σ w·values without BLAS: on a busy machine OpenBLAS's threads for long dot products cost more than they save."""
    return float(np.add.reduce(w * values))


class _Objective:
    """Weighted log-likelihood and its gradient in one pass over pooled rows (shared terms computed once).

    Equals ``log_likelihood(..., weights)`` and ``gradient(...)``; the fit calls it ~100 times.
    """

    def __init__(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, w: np.ndarray):
        self.x, self.t_x, self.T, self.w = x, t_x, T, w
        self.repeat = x > 0
        self.whole = bool(np.all(x == np.floor(x)) and (len(x) == 0 or x.max() < 1e6))
        self.index = x.astype(np.int64) if self.whole else None
        self.steps = np.arange(int(x.max()) if self.whole and len(x) else 0)
        self.b_shift = np.where(self.repeat, x - 1, 0.0)         # b + x - 1 for repeat buyers (b otherwise)

    def _cum_inverse(self, c: float) -> np.ndarray:
        if not self.whole:
            return digamma(c + self.x) - digamma(c)
        return np.concatenate([[0.0], np.cumsum(1.0 / (c + self.steps))])[self.index]

    def __call__(self, params) -> tuple[float, np.ndarray]:
        r, alpha, a, b = (float(p) for p in params)
        x, w, repeat = self.x, self.w, self.repeat
        if self.whole:
            a2 = np.concatenate([[0.0], np.cumsum(np.log1p(-a / (a + b + self.steps)))])[self.index]
        else:
            a2 = betaln(a, b + x) - betaln(a, b)
        log_at = np.log(alpha + self.T)
        log_atx = np.log(alpha + self.t_x)
        rx = r + x
        b_x = b + self.b_shift
        a3 = -rx * log_at
        a4 = np.where(repeat, np.log(a) - np.log(b_x) - rx * log_atx, -np.inf)
        last = np.logaddexp(a3, a4)
        value = float(_wsum(w, gammaln(rx) - gammaln(r) + r * np.log(alpha) + a2 + last))
        w3, w4 = np.exp(a3 - last), np.exp(a4 - last)           # shares of the two terms of the last log-sum
        ab = self._cum_inverse(a + b)
        grad = np.array([
            _wsum(w, self._cum_inverse(r) + np.log(alpha) - w3 * log_at - w4 * log_atx),
            _wsum(w, r / alpha - w3 * rx / (alpha + self.T) - w4 * rx / (alpha + self.t_x)),
            _wsum(w, -ab + w4 / a),
            _wsum(w, self._cum_inverse(b) - ab - w4 / b_x),
        ])
        return value, grad


def fit(x, t_x, T, min_clients: int = MIN_CLIENTS) -> BGNBDFit:
    """Maximum-likelihood BG/NBD fit. In: arrays x (repeat purchase days), t_x, T (weeks), one entry per client.

    Never raises for bad data: no client, no repeat purchase, impossible histories, fewer than
    ``min_clients`` clients, an optimiser
    that does not converge, or non-finite parameters / likelihood come back with
    ``converged=False`` and a ``message`` in words. A maximum on an edge of the parameter space
    (a parameter above 1e6 or below 1e-6, e.g. a -> 0 when hardly anyone drops out) is a limit of
    the model, not a failure: it is accepted and said in ``message``; :func:`no_signal` then
    usually tells that P(alive) cannot separate clients.
    """
    x, t_x, T = _arrays(x, t_x, T)
    n = int(len(x))
    if n == 0:
        return _failed(0, "no clients with a purchase: nothing to fit")
    bad = ~np.isfinite(x) | ~np.isfinite(t_x) | ~np.isfinite(T) | (x < 0) | (t_x < 0) | (T < t_x)
    if bad.any():
        return _failed(n, f"{int(bad.sum())} clients have impossible histories (need 0 <= t_x <= T, x >= 0)")
    if not (x > 0).any():
        return _failed(n, "every client bought only once: repeat purchases are needed to fit the model")
    if n < min_clients:
        return _failed(n, f"only {n} clients with a purchase: at least {min_clients} are needed to fit the model")

    rows = np.stack([x, t_x, T], axis=1)
    uniq, weights = np.unique(rows, axis=0, return_counts=True)
    ux, ut, uT = uniq[:, 0], uniq[:, 1], uniq[:, 2]
    w = weights.astype(float)

    evaluate = _Objective(ux, ut, uT, w)

    def objective(log_params):
        with np.errstate(all="ignore"):
            value = -evaluate(np.exp(log_params))[0] / n
        return value if np.isfinite(value) else 1e10

    def objective_and_gradient(log_params):
        params = np.exp(log_params)
        with np.errstate(all="ignore"):
            value, grad = evaluate(params)
            value, grad = -value / n, -params * grad / n
        if not np.isfinite(value):
            return 1e10, np.zeros(4)
        return value, (grad if np.all(np.isfinite(grad)) else np.zeros(4))

    def run(x0):
        return minimize(objective_and_gradient, x0, jac=True, method="L-BFGS-B", bounds=[(-30.0, 30.0)] * 4)

    # Starts: one inside the parameter space (a second one only when it fails) and one far out on the
    # a, b -> inf ridge (every client the same dropout probability), where the maximum of real data often lies.
    scale = max(float(np.mean(T)), 1e-3)
    first = run(np.log([1.0, scale, 1.0, 1.0]))
    results = [first] if first.success else [first, run(np.log([0.5, scale / 4, 0.5, 2.0]))]
    results.append(run(np.log([1.0, scale, 0.05 * 1e8, 0.95 * 1e8])))
    good = [res for res in results if res.success]
    if good:
        best = min(good, key=lambda res: res.fun)
        best_x, success, why = best.x, True, str(best.message)
    else:               # derivative-free second opinion from the best point reached
        best = min(results, key=lambda res: res.fun)
        polished = minimize(objective, best.x, method="Nelder-Mead",
                            options={"xatol": 1e-8, "fatol": 1e-12, "maxiter": 4000})
        best_x, success, why = polished.x, bool(polished.success), str(polished.message)
    params = np.exp(best_x)
    loglik = -objective(best_x) * n
    if not success:
        return _failed(n, f"the optimiser did not converge ({why})", loglik, params)
    if not (np.all(np.isfinite(params)) and np.isfinite(loglik)) or loglik <= -1e9:
        return _failed(n, "the fit gave non-finite parameters or likelihood", loglik, params)
    r, alpha, a, b = (float(p) for p in params)
    notes = []
    edge = (params > _BOUND) | (params < 1 / _BOUND)
    if edge[2] or edge[3]:
        notes.append(f"a = {a:.3g} and b = {b:.3g} sit on an edge of the parameter space; they matter only "
                     f"through the dropout probability a/(a+b) = {a / (a + b):.3g} after a purchase"
                     + (" (the model sees almost no dropout)" if a / (a + b) < 0.01 else ""))
    if edge[0] or edge[1]:
        notes.append(f"r = {r:.3g} and alpha = {alpha:.3g} sit on an edge of the parameter space; they matter "
                     f"mostly through the mean purchase rate r/alpha = {r / alpha:.3g} purchase days a week")
    return BGNBDFit(r, alpha, a, b, float(loglik), True, n, "; ".join(["converged", *notes]))


def p_alive(fit_: BGNBDFit, x, t_x, T) -> np.ndarray:
    """P(alive) per client: ``1 / (1 + a/(b+x−1)·((α+T)/(α+t_x))^(r+x))`` for x >= 1; NaN for x == 0 (too little history)."""
    x, t_x, T = _arrays(x, t_x, T)
    r, alpha, a, b = fit_.r, fit_.alpha, fit_.a, fit_.b
    repeat = x >= 1
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_term = (np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0))
                    + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x)))
        p = expit(-log_term)
    return np.where(repeat, p, np.nan)


def no_signal(p, settings: Settings = DEFAULT) -> bool:
    """True when P >= ``no_signal_p`` for at least ``no_signal_share`` of the clients with x >= 1 (NaN = x == 0, ignored).

    Also true when there is no client with x >= 1 at all (nothing to tell apart).
    """
    p = np.asarray(p, dtype=float)
    p = p[np.isfinite(p)]
    if len(p) == 0:
        return True
    return bool(np.mean(p >= settings.no_signal_p) >= settings.no_signal_share)


def describe(fit_: BGNBDFit) -> str:
    """The parameters in one line: "r = 0.243, alpha = 4.41 weeks, a = 0.793, b = 2.43"."""
    return f"r = {fit_.r:.3g}, alpha = {fit_.alpha:.3g} weeks, a = {fit_.a:.3g}, b = {fit_.b:.3g}"
