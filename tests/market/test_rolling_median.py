"""The price-quality tracker's rolling median equals a plain sort of its window, step by step."""

from __future__ import annotations

import math
from collections import deque

from hypothesis import given, settings
from hypothesis import strategies as st

from georisk.market._quality import _MIN_PERIODS, _WINDOW, _RollingMedian


def _reference(values: deque[float]) -> float:
    got = sorted(v for v in values if v == v)
    n = len(got)
    if n < _MIN_PERIODS:
        return math.nan
    mid = n // 2
    return got[mid] if n % 2 else (got[mid] + got[mid - 1]) / 2


values = st.one_of(
    st.floats(-0.2, 0.2, allow_nan=False),
    st.sampled_from([0.0, -0.0, 0.01, -0.01, math.nan]),  # ties, signed zeros, gaps
)


@settings(max_examples=150, deadline=None)
@given(st.lists(values, max_size=3 * _WINDOW))
def test_rolling_median_equals_the_sorted_window(xs: list[float]) -> None:
    window: deque[float] = deque(maxlen=_WINDOW)
    rolling = _RollingMedian()
    for x in xs:
        want, got = _reference(window), rolling.median()
        assert (math.isnan(want) and math.isnan(got)) or (
            want == got and math.copysign(1, want) == math.copysign(1, got)
        )
        window.append(x)
        rolling.append(x)
