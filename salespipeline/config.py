"""Generator configuration: one frozen dataclass, validated once, passed explicitly everywhere."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

# The largest --scale the generator accepts. It builds every table in memory before writing:
# scale 10 peaks at about 1 GB, scale 100 at 7.2 GB (100 s and 4 GB of CSV files on two cores),
# and scale 1000 failed in Arrow after 69 s and 11 GB. A longer date window adds few rows.
MAX_SCALE = 100


class ConfigError(ValueError):
    """An option that cannot produce a dataset; the message is shown to the user as is."""


@dataclass(frozen=True)
class Volumes:
    """Rows per table at scale 1.0 for the volume-driving entities; the rest follow from rates."""

    accounts: int = 2_000
    leads: int = 40_000
    sales_reps: int = 24
    sales_managers: int = 4


@dataclass(frozen=True)
class Rates:
    """Behavioural rates of the simulated go-to-market, in realistic orders for B2B SaaS."""

    lead_growth_per_year: float = 1.35
    lead_with_account: float = 0.88
    repeat_lead: float = 0.06
    extra_touches_per_lead: float = 3.1
    contact_from_mql: float = 0.65
    contact_from_non_mql: float = 0.08
    first_opportunity: float = 0.95
    retry_after_loss: float = 0.55
    expansion_per_contract: float = 0.8
    renewal: float = 0.85
    monthly_churn: float = 0.035
    win_back: float = 0.30
    backward_move: float = 0.07
    # The small, realistic mess that staging must clean.
    messy_email: float = 0.03
    lower_case_currency: float = 0.015
    double_submit: float = 0.012


@dataclass(frozen=True)
class GeneratorConfig:
    seed: int = 42
    scale: float = 1.0
    start_date: date = date(2023, 10, 1)
    end_date: date = date(2026, 9, 30)
    volumes: Volumes = field(default_factory=Volumes)
    rates: Rates = field(default_factory=Rates)

    def __post_init__(self) -> None:
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ConfigError(f"--seed must be a non-negative integer, got {self.seed!r}")
        if not isinstance(self.scale, (int, float)) or not math.isfinite(self.scale):
            raise ConfigError(f"--scale must be a finite number, got {self.scale!r}")
        if self.scale < 0:
            raise ConfigError(f"--scale must be zero or positive, got {self.scale}")
        if self.scale > MAX_SCALE:
            raise ConfigError(
                f"--scale must be at most {MAX_SCALE} (every table is held in memory; "
                f"scale {MAX_SCALE} needs about 7 GB), got {self.scale:g}"
            )
        if self.end_date < self.start_date:
            raise ConfigError(
                f"--end-date {self.end_date.isoformat()} is before --start-date "
                f"{self.start_date.isoformat()}"
            )
        if self.start_date.year < 1971 or self.end_date.year > 2200:
            raise ConfigError("dates must lie between 1971 and 2200")

    def scaled(self, volume: int) -> int:
        """A volume multiplied by the scale; rounding keeps growth linear and scale 0 empty."""
        return round(volume * self.scale)

    @property
    def start_ts(self) -> int:
        """First second of the data window, as Unix seconds (UTC)."""
        return _unix(self.start_date)

    @property
    def end_ts(self) -> int:
        """First second after the data window (the end date is inclusive)."""
        return _unix(self.end_date) + 86_400


def _unix(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
