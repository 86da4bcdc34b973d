"""Accounts: the companies the business sells to, with firmographics and an internal owner."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from salespipeline.config import GeneratorConfig
from salespipeline.generator import columns as col
from salespipeline.generator.pools import Pools
from salespipeline.reference import FX_RATES_TO_USD, REGIONS, SIZE_BAND_REVENUE, SIZE_BANDS

INDUSTRIES: tuple[str, ...] = (
    "Software",
    "Financial Services",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Education",
    "Media",
    "Logistics",
    "Energy",
    "Professional Services",
)
INDUSTRY_WEIGHTS = (0.22, 0.12, 0.10, 0.12, 0.09, 0.06, 0.06, 0.08, 0.05, 0.10)
REGION_WEIGHTS = (0.50, 0.28, 0.14, 0.08)
SIZE_BAND_WEIGHTS = (0.62, 0.28, 0.10)
# Median annual revenue (USD) and log-normal spread by size band.
REVENUE_MEDIAN = (8e6, 180e6, 3e9)
REVENUE_SIGMA = (0.7, 0.6, 0.8)
# Billing currency: EMEA accounts are billed in EUR, GBP or USD; everyone else in USD.
CURRENCIES: tuple[str, ...] = tuple(FX_RATES_TO_USD)
EMEA_CURRENCY_WEIGHTS = (0.30, 0.45, 0.25)


@dataclass(frozen=True)
class Accounts:
    ids: pa.StringArray
    created_at: np.ndarray  # Unix seconds
    size_band: np.ndarray  # codes into SIZE_BANDS
    region: np.ndarray  # codes into REGIONS
    currency: np.ndarray  # codes into CURRENCIES
    owner: np.ndarray  # index of the sales rep who owns the account
    domain: np.ndarray  # e-mail domain of the company's people
    table: pa.Table

    def __len__(self) -> int:
        return len(self.created_at)


def build_accounts(
    config: GeneratorConfig, rng: np.random.Generator, pools: Pools, n_reps: int
) -> Accounts:
    n = config.scaled(config.volumes.accounts)
    ids = col.uuid4_array(rng, n)
    band = col.pick(rng, n, SIZE_BAND_WEIGHTS)
    revenue = col.lognormal(rng, np.take(REVENUE_MEDIAN, band), np.take(REVENUE_SIGMA, band), n)
    low = np.array([SIZE_BAND_REVENUE[b][0] for b in SIZE_BANDS])[band]
    high = np.array([SIZE_BAND_REVENUE[b][1] for b in SIZE_BANDS])[band]
    revenue_cents = np.round(np.clip(revenue, low, high), -3).astype(np.int64) * 100
    region = col.pick(rng, n, REGION_WEIGHTS)
    industry = col.pick(rng, n, INDUSTRY_WEIGHTS)
    currency = np.where(
        np.asarray(REGIONS)[region] == "EMEA", col.pick(rng, n, EMEA_CURRENCY_WEIGHTS), 0
    )
    # A third of the accounts were already in the CRM when the window opens (imported in its
    # first two weeks); the rest appear over time, a little more often later as the business grows.
    span = config.end_ts - config.start_ts
    imported = rng.random(n) < 0.35
    created = np.where(
        imported,
        config.start_ts + rng.integers(0, min(span, 14 * col.SECONDS_PER_DAY), n),
        config.start_ts + (rng.random(n) ** 0.85 * span * 0.95).astype(np.int64),
    )
    owner = rng.integers(0, max(n_reps, 1), n)
    table = pa.table(
        {
            "account_id": ids,
            "name": pa.array(pools.company_names[:n], type=pa.string()),
            "industry": col.labels(INDUSTRIES, industry),
            "annual_revenue": col.money(revenue_cents),
            "region": col.labels(REGIONS, region),
            "created_at": col.timestamps(created),
        }
    )
    return Accounts(
        ids=ids,
        created_at=created,
        size_band=band,
        region=region,
        currency=currency,
        owner=owner,
        domain=pools.company_domains[:n],
        table=table,
    )
