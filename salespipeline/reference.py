"""Reference data shared by the generator and the dbt project.

The same values are committed as dbt seeds in ``seeds/reference/``; a test checks that the two
agree, so the generator never plants a stage, currency or campaign the warehouse does not know.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    name: str
    order: int
    default_probability: float
    is_closed: bool
    is_won: bool


# The sales stages in order. Open stages first; the three closed stages end every closed deal and
# their name is also the opportunity's close_outcome.
STAGES: tuple[Stage, ...] = (
    Stage("prospecting", 1, 0.10, False, False),
    Stage("qualification", 2, 0.20, False, False),
    Stage("discovery", 3, 0.40, False, False),
    Stage("proposal", 4, 0.60, False, False),
    Stage("negotiation", 5, 0.80, False, False),
    Stage("closed_won", 6, 1.00, True, True),
    Stage("closed_lost", 7, 0.00, True, False),
    Stage("disqualified", 8, 0.00, True, False),
)

# Static budget rates (USD per unit): constant-currency reporting keeps FX noise out of MRR.
# Two decimals on purpose: a whole amount converts to USD exactly, to the cent.
FX_RATES_TO_USD: dict[str, float] = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27}


@dataclass(frozen=True)
class Campaign:
    utm_source: str
    utm_campaign: str
    event_type: str
    channel: str

    @property
    def campaign_id(self) -> str:
        # Stable ids: derived from the campaign's name, so they never change between runs or seeds.
        return str(uuid.uuid5(_CAMPAIGN_NAMESPACE, f"{self.utm_source}/{self.utm_campaign}"))


_CAMPAIGN_NAMESPACE = uuid.UUID("6f1d8a52-3c1e-4f0a-9a57-5a1e5a1e5a1e")

CAMPAIGNS: tuple[Campaign, ...] = (
    Campaign("website", "demo_request", "form_submit", "web"),
    Campaign("website", "contact_sales", "form_submit", "web"),
    Campaign("website", "revenue_playbook_ebook", "content_download", "web"),
    Campaign("website", "pipeline_benchmark_report", "content_download", "web"),
    Campaign("google", "brand_search", "paid_click", "paid_search"),
    Campaign("google", "competitor_search", "paid_click", "paid_search"),
    Campaign("google", "generic_search", "paid_click", "paid_search"),
    Campaign("bing", "brand_search", "paid_click", "paid_search"),
    Campaign("linkedin", "abm_enterprise", "social_click", "paid_social"),
    Campaign("linkedin", "lead_gen_forms", "social_click", "paid_social"),
    Campaign("facebook", "retargeting", "social_click", "paid_social"),
    Campaign("events", "saas_summit", "event", "events"),
    Campaign("events", "regional_roadshow", "event", "events"),
    Campaign("webinar", "pipeline_masterclass", "webinar", "webinar"),
    Campaign("webinar", "revops_live", "webinar", "webinar"),
    Campaign("newsletter", "monthly_newsletter", "email_click", "email"),
    Campaign("hubspot", "nurture_sequence", "email_click", "email"),
    Campaign("outreach", "outbound_sequence", "email_click", "outbound"),
    Campaign("partner", "partner_cosell", "form_submit", "partner"),
    Campaign("referral", "customer_referral", "form_submit", "referral"),
)

LEAD_SOURCES: tuple[str, ...] = (
    "web",
    "paid_search",
    "paid_social",
    "events",
    "referral",
    "partner",
    "outbound",
)
EVENT_TYPES: tuple[str, ...] = (
    "form_submit",
    "content_download",
    "paid_click",
    "social_click",
    "webinar",
    "email_click",
    "event",
)
PAID_EVENT_TYPES: frozenset[str] = frozenset({"paid_click", "social_click", "event"})
REGIONS: tuple[str, ...] = ("North America", "EMEA", "APAC", "LATAM")
PRODUCT_LINES: tuple[str, ...] = ("platform", "analytics", "security")
SIZE_BANDS: tuple[str, ...] = ("smb", "mid_market", "enterprise")
# Annual revenue bounds (USD) of each size band; staging derives the band from these thresholds.
SIZE_BAND_REVENUE: dict[str, tuple[float, float]] = {
    "smb": (500_000.0, 49_999_000.0),
    "mid_market": (50_000_000.0, 999_999_000.0),
    "enterprise": (1_000_000_000.0, 200_000_000_000.0),
}
ACTIVITY_TYPES: tuple[str, ...] = ("email", "call", "meeting", "demo")
