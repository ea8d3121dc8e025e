from __future__ import annotations

import numpy as np
import pytest

from trust.features import freshness_since, read_features, stored_lists
from trust.signals import freshness

DAY = 86_400.0
CLOCK = 10 * DAY


def _stored(scored_at: float) -> list[float]:
    """A row of a table with a 2-day half-life, aged from day 4, scored at `scored_at`."""
    signals = np.array([[0.0, 0.1, 0.2, 0.3, 0.4, 0.5]])
    [row] = stored_lists(signals, np.array([0.6]), np.array([4 * DAY]), np.array([2.0]), scored_at)
    return row


def test_a_full_pass_row_reads_its_freshness_at_the_clock() -> None:
    read = read_features(_stored(0.0), CLOCK)
    assert read == ([freshness(6.0, 2.0), 0.1, 0.2, 0.3, 0.4, 0.5], 0.6)
    later = read_features(_stored(0.0), CLOCK + 2 * DAY)
    assert later is not None
    assert later[0][0] == pytest.approx(read[0][0] / 2)  # the clock moved one half-life


def test_a_row_scored_at_its_own_time_ignores_the_clock() -> None:
    assert read_features(_stored(8 * DAY), CLOCK) == read_features(_stored(0.0), 8 * DAY)
    assert read_features(_stored(8 * DAY), None) is not None


def test_freshness_is_one_without_a_half_life_or_before_the_row_s_time() -> None:
    since = np.array([5 * DAY, 5 * DAY])
    assert freshness_since(since, np.array([0.0, 2.0]), 4 * DAY).tolist() == [1.0, 1.0]
    assert freshness_since(since[:1], np.array([0.0]), 50 * DAY).tolist() == [1.0]


def test_older_and_unknown_layouts() -> None:
    legacy = [0.9, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
    assert read_features(legacy, None) == (legacy[:6], 0.6)
    assert read_features(legacy[:5], CLOCK) is None
    assert read_features(None, CLOCK) is None
    assert read_features(_stored(0.0), None) is None  # a full pass's row before any clock
