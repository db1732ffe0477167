"""Value summaries, finiteness tests and fingerprints, on ordinary and odd arrays."""

import math

import numpy as np
import pytest

from graphscope.inspect.stats import Stats, all_finite, fingerprint, summarize


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_summary_matches_numpy(dtype):
    a = np.random.default_rng(0).normal(3, 2, (7, 5)).astype(dtype)
    a[0, 0] = 0
    s = summarize(a)
    ref = a.astype(np.float64)
    tol = {np.float16: 1e-2, np.float32: 1e-5, np.float64: 1e-12}[dtype]
    assert s.count == 35 and s.zeros == 1 and s.finite
    assert (s.min, s.max) == (float(ref.min()), float(ref.max()))
    assert s.mean == pytest.approx(ref.mean(), rel=tol)
    assert s.std == pytest.approx(ref.std(), rel=tol)


def test_nan_and_inf_are_counted_and_left_out_of_the_moments():
    a = np.array([1.0, np.nan, np.inf, -np.inf, 3.0, 0.0], dtype=np.float32)
    s = summarize(a)
    assert (s.nan, s.inf, s.zeros, s.count) == (1, 2, 1, 6) and not s.finite
    assert (s.min, s.max, s.mean) == (0.0, 3.0, pytest.approx(4 / 3))
    everything_bad = summarize(np.array([np.nan, np.inf]))
    assert math.isnan(everything_bad.mean) and (everything_bad.nan, everything_bad.inf) == (1, 1)


def test_finite_values_whose_squares_overflow():
    a = np.array([3e38, -3e38, 1.0], dtype=np.float32)
    s = summarize(a)
    assert s.finite and s.std == pytest.approx(np.std(a.astype(np.float64)), rel=1e-6)
    h = np.array([60000, -60000], dtype=np.float16)
    assert summarize(h).std == pytest.approx(60000, rel=1e-3)


@pytest.mark.parametrize("a", [np.array(2.5), np.zeros((0, 4)), np.arange(6), np.array([True, False, True]),
                               np.array([-3, 0, 7], dtype=np.int8), np.float32(1.0) * np.ones((1, 1))])
def test_never_raises_on_odd_input(a):
    s = summarize(a)
    assert s.count == a.size
    assert all_finite(np.asarray(a)) is True
    fingerprint(a)


def test_odd_input_values():
    assert summarize(np.array(2.5)).to_list() == [1, 2.5, 2.5, 2.5, 0.0, 0, 0, 0]
    assert summarize(np.arange(6)).zeros == 1 and summarize(np.arange(6)).mean == 2.5
    assert summarize(np.array([True, False, True])).mean == pytest.approx(2 / 3)
    empty = summarize(np.zeros((0, 4)))
    assert empty.count == 0 and math.isnan(empty.mean)


def test_stats_round_trip_through_a_list():
    s = summarize(np.array([1.0, np.nan, 0.0]))
    assert Stats.from_list(s.to_list()) == s
    assert "nan 1" in s.short()


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_all_finite(dtype):
    a = np.ones(1000, dtype=dtype)
    assert all_finite(a)
    a[500] = np.nan
    assert not all_finite(a)
    a[500] = np.inf
    assert not all_finite(a)
    big = np.full(10, np.finfo(dtype).max / 2, dtype=dtype)  # the self-dot overflows; the values do not
    assert all_finite(big)


def test_fingerprint_tells_arrays_apart():
    rng = np.random.default_rng(0)
    a = rng.normal(0, 1, (30, 20)).astype(np.float32)
    assert fingerprint(a) == fingerprint(a.copy())
    moved = a.copy()
    moved[3, 4] *= 1.001  # (a one-ulp change can be lost in the sum: frozen-gradient checks exactly)
    assert fingerprint(moved) != fingerprint(a)
    swapped = a.copy()
    swapped[[0, 1]] = swapped[[1, 0]]
    assert fingerprint(swapped) != fingerprint(a)
    with_nan = a.copy()
    with_nan[0, 0] = np.nan
    assert fingerprint(with_nan) == fingerprint(with_nan.copy())  # NaN arrays still match themselves
    assert fingerprint(np.zeros((0,))) == 0.0
