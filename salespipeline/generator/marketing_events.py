"""Marketing events: the touches (clicks, forms, webinars, e-mails, events) around each lead."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from salespipeline.config import GeneratorConfig
from salespipeline.generator import columns as col
from salespipeline.generator.leads import Leads
from salespipeline.reference import CAMPAIGNS, LEAD_SOURCES

# The channel of the touch that creates a lead, by lead source.
CONVERTING_CHANNEL = {
    "web": "web",
    "paid_search": "paid_search",
    "paid_social": "paid_social",
    "events": "events",
    "referral": "referral",
    "partner": "partner",
    "outbound": "outbound",
}
# Channels of the other touches (nurture, retargeting, webinars) and how common each is.
NURTURE_CHANNELS = {
    "email": 0.35,
    "web": 0.20,
    "webinar": 0.12,
    "paid_search": 0.13,
    "paid_social": 0.13,
    "events": 0.07,
}
# Median cost (USD) of one paid touch: a click, or a booth visitor's share of an event.
PAID_TOUCH_COST = {
    ("google", "brand_search"): 2.5,
    ("google", "competitor_search"): 11.0,
    ("google", "generic_search"): 6.0,
    ("bing", "brand_search"): 2.0,
    ("linkedin", "abm_enterprise"): 9.0,
    ("linkedin", "lead_gen_forms"): 6.0,
    ("facebook", "retargeting"): 1.8,
    ("events", "saas_summit"): 220.0,
    ("events", "regional_roadshow"): 120.0,
}
SHARE_BEFORE_LEAD = 0.35


@dataclass(frozen=True)
class MarketingEvents:
    lead: np.ndarray  # lead index
    occurred_at: np.ndarray
    campaign: np.ndarray  # index into CAMPAIGNS
    table: pa.Table

    def __len__(self) -> int:
        return len(self.lead)


def _campaigns_of(channel: str) -> np.ndarray:
    return np.array([i for i, c in enumerate(CAMPAIGNS) if c.channel == channel], dtype=np.int64)


def _pick_campaign(
    rng: np.random.Generator, channel_codes: np.ndarray, channels: list[str]
) -> np.ndarray:
    """A campaign of the given channel for every row, uniformly among that channel's campaigns."""
    campaign = np.empty(len(channel_codes), dtype=np.int64)
    for code, channel in enumerate(channels):
        rows = np.flatnonzero(channel_codes == code)
        options = _campaigns_of(channel)
        campaign[rows] = options[rng.integers(0, len(options), len(rows))]
    return campaign


def build_marketing_events(
    config: GeneratorConfig, rng: np.random.Generator, leads: Leads
) -> MarketingEvents:
    real = np.flatnonzero(~leads.is_double_submit)  # a double-submit adds no touch of its own
    created = leads.created_at[real]

    # The touch that created the lead, seconds before the lead record.
    converting_channels = [CONVERTING_CHANNEL[source] for source in LEAD_SOURCES]
    converting_campaign = _pick_campaign(rng, leads.source[real], converting_channels)
    converting_at = created - rng.integers(0, 90, len(real))

    # Further touches: some before the lead (anonymous visits stitched to it), most after (nurture).
    n_extra = rng.poisson(config.rates.extra_touches_per_lead, len(real))
    extra_lead = np.repeat(np.arange(len(real)), n_extra)
    before = rng.random(len(extra_lead)) < SHARE_BEFORE_LEAD
    offset = np.where(
        before,
        -col.days(rng.uniform(1, 75, len(extra_lead))),
        col.days(np.minimum(rng.exponential(45, len(extra_lead)), 365)),
    )
    extra_at = created[extra_lead] + offset
    nurture = list(NURTURE_CHANNELS)
    extra_campaign = _pick_campaign(
        rng, col.pick(rng, len(extra_lead), list(NURTURE_CHANNELS.values())), nurture
    )

    lead = np.concatenate([np.arange(len(real)), extra_lead])
    occurred = np.concatenate([converting_at, extra_at])
    campaign = np.concatenate([converting_campaign, extra_campaign])
    inside = (occurred >= config.start_ts) & (occurred < config.end_ts)
    order = np.flatnonzero(inside)
    order = order[col.stable_order(occurred[order])]
    lead, occurred, campaign = real[lead[order]], occurred[order], campaign[order]

    median_cost = np.array(
        [PAID_TOUCH_COST.get((c.utm_source, c.utm_campaign), 0.0) for c in CAMPAIGNS]
    )[campaign]
    is_paid = median_cost > 0
    cost_cents = np.maximum(np.round(col.lognormal(rng, median_cost, 0.35, len(lead)) * 100), 1)
    n = len(lead)
    table = pa.table(
        {
            "event_id": col.uuid4_array(rng, n),
            "lead_id": col.take_ids(leads.ids, lead),
            "event_type": col.labels([c.event_type for c in CAMPAIGNS], campaign),
            "utm_source": col.labels([c.utm_source for c in CAMPAIGNS], campaign),
            "utm_campaign": col.labels([c.utm_campaign for c in CAMPAIGNS], campaign),
            "occurred_at": col.timestamps(occurred),
            "cost": col.money(cost_cents.astype(np.int64), precision=10, valid=is_paid),
        }
    )
    return MarketingEvents(lead=lead, occurred_at=occurred, campaign=campaign, table=table)
