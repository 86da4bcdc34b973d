"""Contacts: people at an account that sales talks to, converted from a share of the leads."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from salespipeline.config import GeneratorConfig
from salespipeline.generator import columns as col
from salespipeline.generator.accounts import Accounts
from salespipeline.generator.leads import Leads, messy_emails
from salespipeline.reference import REGIONS

TITLES: tuple[str, ...] = (
    "Chief Revenue Officer",
    "VP Sales",
    "VP Marketing",
    "Head of Revenue Operations",
    "Director of Sales",
    "Director of Marketing",
    "Sales Operations Manager",
    "Marketing Operations Manager",
    "Account Executive",
    "SDR Manager",
    "CFO",
    "Finance Manager",
    "Head of Data",
    "Data Analyst",
    "Head of Growth",
    "CTO",
    "IT Manager",
    "CEO",
)
TITLE_WEIGHTS = (2, 6, 5, 6, 8, 7, 9, 8, 6, 4, 2, 4, 4, 6, 4, 2, 4, 1)
# Countries people give, by region of their account.
GEOS: dict[str, tuple[str, ...]] = {
    "North America": ("United States", "United States", "United States", "Canada"),
    "EMEA": ("United Kingdom", "Germany", "France", "Netherlands", "Sweden", "Spain"),
    "APAC": ("Australia", "Singapore", "Japan", "India"),
    "LATAM": ("Brazil", "Mexico", "Argentina", "Chile"),
}


@dataclass(frozen=True)
class Contacts:
    ids: pa.StringArray
    lead: np.ndarray
    account: np.ndarray
    created_at: np.ndarray
    table: pa.Table

    def __len__(self) -> int:
        return len(self.lead)


def build_contacts(
    config: GeneratorConfig, rng: np.random.Generator, accounts: Accounts, leads: Leads
) -> Contacts:
    rates = config.rates
    n_leads = len(leads)
    rate = np.where(leads.is_mql, rates.contact_from_mql, rates.contact_from_non_mql)
    converts = (rng.random(n_leads) < rate) & (leads.account >= 0) & ~leads.is_double_submit
    created = leads.created_at + col.days(col.lognormal(rng, 5.0, 0.9, n_leads)) + 60
    converts &= created < config.end_ts
    candidates = np.flatnonzero(converts)
    # One person converts once: a repeat lead of someone already a contact stays a lead.
    candidates = candidates[col.stable_order(leads.created_at[candidates])]
    _, first = np.unique(leads.person[candidates], return_index=True)
    lead = candidates[first]
    lead = lead[col.stable_order(created[lead])]
    account = leads.account[lead]
    created = created[lead]
    n = len(lead)

    region = np.asarray(REGIONS)[accounts.region[account]] if n else np.array([], dtype=str)
    geo = np.empty(n, dtype=object)
    for name, countries in GEOS.items():
        rows = np.flatnonzero(region == name)
        geo[rows] = np.asarray(countries, dtype=object)[rng.integers(0, len(countries), len(rows))]
    ids = col.uuid4_array(rng, n)
    table = pa.table(
        {
            "contact_id": ids,
            "lead_id": col.take_ids(leads.ids, lead),
            "account_id": col.take_ids(accounts.ids, account),
            "created_at": col.timestamps(created),
            "email": messy_emails(rng, leads.email.take(pa.array(lead)), rates.messy_email),
            "title": col.labels(TITLES, col.pick(rng, n, TITLE_WEIGHTS)),
            "geo": pa.array(geo, type=pa.string()),
        }
    )
    return Contacts(ids=ids, lead=lead, account=account, created_at=created, table=table)
