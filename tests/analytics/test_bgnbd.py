"""BG/NBD (kamcore.analytics.bgnbd): likelihood, P(alive) by hand, recovery of simulated parameters, failure and no signal."""
from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kamcore.analytics import bgnbd
from kamcore.settings import DEFAULT

CDNOW_LIKE = bgnbd.BGNBDFit(r=0.25, alpha=4.0, a=0.8, b=2.5, loglik=float("nan"), converged=True, n=0,
                            message="converged")


def simulate(n: int, r: float, alpha: float, a: float, b: float, T: np.ndarray, seed: int):
    """BG/NBD process: rate λ ~ Gamma(r, 1/alpha), dropout p ~ Beta(a, b); after each repeat purchase the
    client leaves with probability p. Returns x, t_x, T (weeks)."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    for i in range(n):
        t, k = 0.0, 0
        while True:
            t += rng.exponential(1 / lam[i])
            if t > T[i]:
                break
            k += 1
            t_x[i] = t
            if rng.random() < p[i]:
                break
        x[i] = k
    return x, t_x, T


# ---------------------------------------------------------------- P(alive) by hand

@pytest.mark.parametrize(("x", "t_x", "T", "expected"), [
    # a/(b+x-1) = 0.8/2.5 = 0.32; ((4+20)/(4+10))^(0.25+1) = (24/14)^1.25 = 1.9615709;
    # P = 1/(1 + 0.32*1.9615709) = 1/1.6277027 = 0.6143628
    (1, 10.0, 20.0, 0.6143628),
    # last purchase on the as-of date: ratio 1, P = 1/(1 + 0.8/4.5) = 4.5/5.3 = 0.8490566
    (3, 30.0, 30.0, 0.8490566),
    # 0.8/6.5 = 0.1230769; (56/14)^5.25 = 4^5.25 = 1024*sqrt(sqrt(4))... = 1024*1.4142136 = 1448.1547;
    # P = 1/(1 + 0.1230769*1448.1547) = 1/179.2344 = 0.0055793
    (5, 10.0, 52.0, 0.0055793),
], ids=["x1_half_way", "x3_bought_today", "x5_long_silence"])
def test_p_alive_by_hand(x, t_x, T, expected):
    got = bgnbd.p_alive(CDNOW_LIKE, [x], [t_x], [T])
    assert got[0] == pytest.approx(expected, abs=1e-6)


def test_p_alive_one_time_buyers_are_nan_not_alive():
    got = bgnbd.p_alive(CDNOW_LIKE, [0, 0, 1], [0.0, 0.0, 5.0], [10.0, 0.0, 10.0])
    assert np.isnan(got[0]) and np.isnan(got[1])
    assert 0 < got[2] < 1


def test_p_alive_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="same length"):
        bgnbd.p_alive(CDNOW_LIKE, [1, 2], [1.0], [2.0, 3.0])


# ---------------------------------------------------------------- likelihood by hand

def test_log_likelihood_by_hand():
    # x = 0: L = (alpha/(alpha+T))^r = (4/16)^0.25 = 0.7071068, ln L = 0.25*ln 0.25 = -0.3465736
    assert bgnbd.log_likelihood((0.25, 4.0, 0.8, 2.5), [0], [0.0], [12.0])[0] == pytest.approx(-0.3465736, abs=1e-7)
    # r = alpha = a = b = 1, x = 1, t_x = 1, T = 3:
    # Γ(2)/Γ(1)·1^1 = 1; B(1,2)/B(1,1) = 0.5; (1+3)^-2 + 1/1·(1+1)^-2 = 1/16 + 1/4 = 5/16
    # L = 0.5 * 5/16 = 5/32, ln L = -1.8562980
    assert bgnbd.log_likelihood((1.0, 1.0, 1.0, 1.0), [1], [1.0], [3.0])[0] == pytest.approx(-1.8562980, abs=1e-7)


def test_log_likelihood_stays_exact_for_huge_a_and_b():
    # a, b -> inf with a/(a+b) = p: the beta part tends to x*ln(1-p); with p = 0.01, x = 3: 3*ln(0.99)
    p, kappa = 0.01, 1e12
    whole = bgnbd.log_likelihood((1.0, 1.0, p * kappa, (1 - p) * kappa), [3], [2.0], [2.0])[0]
    # at t_x = T the bracket is (1+2)^-4 * (1 + a/(b+2)) = 3^-4 * (1 + 0.01/0.99), Γ(4)/Γ(1) = 6
    expected = math.log(6) + 3 * math.log(0.99) - 4 * math.log(3) + math.log(1 + 0.01 / 0.99)
    assert whole == pytest.approx(expected, abs=1e-6)


# ---------------------------------------------------------------- fit

@pytest.fixture(scope="module")
def simulated():
    rng = np.random.default_rng(2024)
    T = rng.uniform(26, 104, 6000)       # clients joined 6 months to 2 years before the as-of date
    return simulate(6000, r=0.25, alpha=4.0, a=0.8, b=2.5, T=T, seed=11)


def test_fit_recovers_simulated_parameters(simulated):
    fit = bgnbd.fit(*simulated)
    assert fit.converged, fit.message
    assert fit.n == 6000
    assert fit.r == pytest.approx(0.25, rel=0.15)
    assert fit.alpha == pytest.approx(4.0, rel=0.20)
    assert fit.a == pytest.approx(0.8, rel=0.25)
    assert fit.b == pytest.approx(2.5, rel=0.30)
    # the maximum is a maximum: the true parameters are not better
    assert fit.loglik >= bgnbd.log_likelihood((0.25, 4.0, 0.8, 2.5), *simulated).sum() - 1e-6


def test_fit_on_simulated_data_has_signal(simulated):
    fit = bgnbd.fit(*simulated)
    p = bgnbd.p_alive(fit, *simulated)
    assert not bgnbd.no_signal(p)


def test_fit_without_dropout_has_no_signal():
    # hardly anybody leaves (p ~ Beta(0.01, 1000)): the fit goes to an edge and P(alive) is ~1 for all
    rng = np.random.default_rng(5)
    x, t_x, T = simulate(2000, r=2.0, alpha=4.0, a=0.01, b=1000.0, T=rng.uniform(52, 104, 2000), seed=6)
    fit = bgnbd.fit(x, t_x, T)
    assert fit.converged, fit.message
    assert bgnbd.no_signal(bgnbd.p_alive(fit, x, t_x, T))


@pytest.mark.parametrize(("x", "t_x", "T", "words"), [
    ([], [], [], "no clients"),
    ([0, 0, 0], [0.0, 0.0, 0.0], [5.0, 6.0, 7.0], "bought only once"),
    ([1, 2], [5.0, 9.0], [4.0, 10.0], "impossible"),
    ([1, np.nan], [5.0, 9.0], [6.0, 10.0], "impossible"),
    ([1, 2, 0], [5.0, 9.0, 0.0], [6.0, 10.0, 3.0], "at least 20"),
], ids=["empty", "one_time_buyers_only", "t_x_after_T", "nan", "too_few"])
def test_fit_failure_is_said_in_words(x, t_x, T, words):
    fit = bgnbd.fit(x, t_x, T)
    assert not fit.converged
    assert words in fit.message
    assert math.isnan(fit.r)


# ---------------------------------------------------------------- no signal

@pytest.mark.parametrize(("p", "expected"), [
    ([0.995] * 19 + [0.5], True),            # 95 % at >= 0.99: no signal (>= is inclusive)
    ([0.995] * 18 + [0.5] * 2, False),       # 90 %
    ([0.99] * 19 + [0.2], True),             # exactly 0.99 counts as >= 0.99
    ([0.98] * 20, False),
    ([np.nan] * 5 + [0.995] * 19 + [0.5], True),   # one-time buyers (NaN) are ignored
    ([np.nan, np.nan], True),                # nobody with x >= 1: nothing to tell apart
], ids=["95pct", "90pct", "p_exactly_099", "all_098", "nan_ignored", "all_nan"])
def test_no_signal(p, expected):
    assert bgnbd.no_signal(np.array(p), DEFAULT) is expected


def test_no_signal_follows_settings():
    p = np.array([0.97] * 20)
    assert not bgnbd.no_signal(p, DEFAULT)
    assert bgnbd.no_signal(p, DEFAULT.with_(no_signal_p=0.95))


# ---------------------------------------------------------------- real data: UCI Online Retail

ONLINE_RETAIL = Path(__file__).resolve().parents[3] / "shared" / "data" / "online_retail" / "online_retail.csv.gz"


@pytest.fixture(scope="module")
def online_retail_days():
    if not ONLINE_RETAIL.exists():
        pytest.skip(f"Online Retail data not found at {ONLINE_RETAIL}")
    raw = pd.read_csv(ONLINE_RETAIL, usecols=["Quantity", "InvoiceDate", "UnitPrice", "CustomerID"],
                      dtype={"CustomerID": str})
    raw = raw[raw["CustomerID"].notna()]
    raw = raw.assign(client_id=raw["CustomerID"], day=pd.to_datetime(raw["InvoiceDate"]).dt.normalize(),
                     revenue=raw["Quantity"] * raw["UnitPrice"])
    days = raw.groupby(["client_id", "day"], as_index=False)["revenue"].sum()
    return days.assign(purchase=days["revenue"].round(2) > 0)


def test_online_retail_fit(online_retail_days):
    from kamcore.analytics.risk import fit_p_alive

    # default as-of: the last day of the latest month with data
    fit, p, note = fit_p_alive(online_retail_days, date(2011, 12, 31))
    assert fit.converged, fit.message
    assert fit.n == 4334
    assert 0.6 < fit.r < 1.0 and 8 < fit.alpha < 14          # about 0.80 and 10.7 weeks
    assert fit.a / (fit.a + fit.b) < 0.01                    # almost no dropout
    assert note.startswith("BG/NBD fitted on 4,334 clients (2,777 with repeat purchases)")
    assert "One-time buyers (1,557) have too little history" in note
    # on the last day with data the maximum runs to a -> 0: P(alive) ~ 1 for everybody, said in words
    fit, p, note = fit_p_alive(online_retail_days, date(2011, 12, 9))
    assert fit.converged
    assert bgnbd.no_signal(p.to_numpy())
    assert "It carries no signal" in note and "purchase rhythm rules only" in note


@pytest.mark.parametrize("params", [(0.5, 4.0, 0.8, 2.5), (1.2, 10.0, 0.01, 50.0), (0.3, 2.0, 1e5, 1e7)],
                         ids=["interior", "low-dropout", "ridge"])
def test_analytic_gradient_matches_finite_differences(params):
    from scipy.optimize import approx_fprime

    rng = np.random.default_rng(0)
    x = rng.integers(0, 10, 200).astype(float)
    T = rng.uniform(5, 100, 200)
    t_x = np.where(x > 0, rng.uniform(0, 1, 200) * T, 0.0)
    w = np.ones(200)
    numeric = approx_fprime(np.array(params), lambda q: bgnbd.log_likelihood(q, x, t_x, T, w),
                            np.array(params) * 1e-7)
    np.testing.assert_allclose(bgnbd.gradient(params, x, t_x, T, w), numeric, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("params", [(0.5, 4.0, 0.8, 2.5), (1.2, 10.0, 0.01, 50.0), (0.3, 2.0, 1e5, 1e7)],
                         ids=["interior", "low-dropout", "ridge"])
def test_fit_objective_equals_log_likelihood_and_gradient(params):
    """The fit's one-pass objective is the same function as log_likelihood and gradient, with weights."""
    rng = np.random.default_rng(3)
    x = rng.integers(0, 12, 300).astype(float)
    T = rng.uniform(5, 100, 300)
    t_x = np.where(x > 0, rng.uniform(0, 1, 300) * T, 0.0)
    w = rng.integers(1, 5, 300).astype(float)
    value, grad = bgnbd._Objective(x, t_x, T, w)(params)
    assert value == pytest.approx(bgnbd.log_likelihood(params, x, t_x, T, w), rel=1e-12)
    np.testing.assert_allclose(grad, bgnbd.gradient(params, x, t_x, T, w), rtol=1e-10)


def test_fit_equals_the_fit_on_unpooled_rows(simulated):
    """Pooling identical (x, t_x, T) rows into weights changes nothing: the same clients listed twice give
    the same parameters and twice the log-likelihood."""
    x, t_x, T = (np.round(v, 0) for v in simulated)       # whole weeks: many identical rows
    once = bgnbd.fit(x, t_x, T)
    twice = bgnbd.fit(np.tile(x, 2), np.tile(t_x, 2), np.tile(T, 2))
    assert once.converged and twice.converged
    for name in bgnbd.PARAMS:
        assert getattr(twice, name) == pytest.approx(getattr(once, name), rel=1e-4)
    assert twice.loglik == pytest.approx(2 * once.loglik, rel=1e-9)
    assert once.loglik == pytest.approx(bgnbd.log_likelihood(once.params().values(), x, t_x, T).sum(), rel=1e-12)
