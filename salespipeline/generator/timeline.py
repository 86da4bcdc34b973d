"""When things happen: a daily intensity with growth, seasonality and quiet weekends."""

from __future__ import annotations

import numpy as np

from salespipeline.config import GeneratorConfig
from salespipeline.generator.columns import SECONDS_PER_DAY

# Relative demand by calendar month (January first): budget season in Q1 and Q4, summer lull,
# December holidays.
SEASONALITY = np.array([1.05, 1.00, 1.10, 1.00, 1.00, 0.88, 0.75, 0.72, 1.05, 1.15, 1.10, 0.80])
WEEKEND_FACTOR = 0.35


def daily_weights(config: GeneratorConfig) -> np.ndarray:
    """Relative activity of each day of the window, normalised to sum to 1."""
    first_day = np.datetime64(config.start_date, "D")
    n_days = (config.end_ts - config.start_ts) // SECONDS_PER_DAY
    day = first_day + np.arange(n_days)
    month_of_year = day.astype("datetime64[M]").astype(np.int64) % 12
    weekday = (day.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    growth = config.rates.lead_growth_per_year ** (np.arange(n_days) / 365.25)
    weights = growth * SEASONALITY[month_of_year] * np.where(weekday >= 5, WEEKEND_FACTOR, 1.0)
    return weights / weights.sum()


def sample_moments(config: GeneratorConfig, rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` sorted Unix timestamps following the daily intensity, mostly in office hours (UTC)."""
    weights = daily_weights(config)
    day = rng.choice(len(weights), size=n, p=weights)
    office = rng.random(n) < 0.75
    second = np.where(
        office,
        np.clip(rng.normal(15 * 3600, 3 * 3600, n), 0, SECONDS_PER_DAY - 1),
        rng.integers(0, SECONDS_PER_DAY, n),
    ).astype(np.int64)
    return np.sort(config.start_ts + day.astype(np.int64) * SECONDS_PER_DAY + second)
