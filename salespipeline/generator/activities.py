"""Activities: e-mails, calls, meetings and demos between an opportunity's creation and close."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from salespipeline.config import GeneratorConfig
from salespipeline.generator import columns as col
from salespipeline.generator.contacts import Contacts
from salespipeline.generator.lifecycle import Deals
from salespipeline.generator.opportunities import Opportunities
from salespipeline.reference import ACTIVITY_TYPES

TYPE_WEIGHTS = (0.50, 0.25, 0.15, 0.10)
INBOUND_SHARE = (0.35, 0.15, 0.30, 0.0)  # by activity type: demos are always ours to run
OUTCOMES: dict[str, tuple[tuple[str, float], ...]] = {
    "email": (("replied", 0.25), ("no_reply", 0.70), ("bounced", 0.05)),
    "call": (
        ("connected", 0.30),
        ("interested", 0.10),
        ("left_voicemail", 0.35),
        ("no_answer", 0.25),
    ),
    "meeting": (("held", 0.85), ("no_show", 0.10), ("rescheduled", 0.05)),
    "demo": (("completed", 0.88), ("no_show", 0.12)),
}
# Median duration in seconds of a call or meeting that took place; None: no duration recorded.
DURATION_MEDIAN: dict[str, float | None] = {
    "replied": None,
    "no_reply": None,
    "bounced": None,
    "connected": 420.0,
    "interested": 900.0,
    "left_voicemail": 45.0,
    "no_answer": None,
    "held": 2_400.0,
    "no_show": None,
    "rescheduled": None,
    "completed": 2_700.0,
}
BASE_ACTIVITIES = 3.0
ACTIVITIES_PER_DAY = 0.16
MAX_PER_OPPORTUNITY = 80


def build_activities(
    config: GeneratorConfig,
    rng: np.random.Generator,
    contacts: Contacts,
    deals: Deals,
    opportunities: Opportunities,
) -> pa.Table:
    window_end = np.minimum(deals.planned_close_at, config.end_ts)
    window_days = (window_end - deals.created_at) / col.SECONDS_PER_DAY
    count = np.minimum(
        rng.poisson(BASE_ACTIVITIES + ACTIVITIES_PER_DAY * window_days), MAX_PER_OPPORTUNITY
    )
    deal = np.repeat(np.arange(len(deals.account)), count)
    span = np.maximum(window_end - deals.created_at, 1)[deal]
    occurred = deals.created_at[deal] + (rng.random(len(deal)) * span).astype(np.int64)
    in_time_order = col.stable_order(occurred)
    deal, occurred = deal[in_time_order], occurred[in_time_order]
    n = len(deal)

    # Talk to someone who was already a contact at the account when the deal was created.
    key = contacts.account.astype(np.int64) * col.GROUP_STRIDE + contacts.created_at
    by_account = col.stable_order(key)
    first = np.searchsorted(key[by_account], deals.account * col.GROUP_STRIDE, side="left")
    known = (
        np.searchsorted(
            key[by_account], deals.account * col.GROUP_STRIDE + deals.created_at, side="right"
        )
        - first
    )
    pick = first[deal] + (rng.random(n) * known[deal]).astype(np.int64)
    contact = np.where(
        known[deal] > 0, by_account[np.minimum(pick, max(len(by_account) - 1, 0))], -1
    )

    activity_type = col.pick(rng, n, TYPE_WEIGHTS)
    inbound = rng.random(n) < np.take(INBOUND_SHARE, activity_type)
    outcome_names: list[str] = []
    outcome = np.empty(n, dtype=np.int64)
    for code, name in enumerate(ACTIVITY_TYPES):
        rows = np.flatnonzero(activity_type == code)
        names = [o for o, _ in OUTCOMES[name]]
        picked = col.pick(rng, len(rows), [w for _, w in OUTCOMES[name]])
        outcome[rows] = len(outcome_names) + picked
        outcome_names.extend(names)
    median = np.array([DURATION_MEDIAN[o] or 0.0 for o in outcome_names])[outcome]
    has_duration = median > 0
    duration = np.round(col.lognormal(rng, median, 0.4, n)).astype(np.int64)
    table = pa.table(
        {
            "activity_id": col.uuid4_array(rng, n),
            "opportunity_id": col.take_ids(opportunities.ids, deal),
            "contact_id": col.take_ids(contacts.ids, contact),
            "activity_type": col.labels(ACTIVITY_TYPES, activity_type),
            "occurred_at": col.timestamps(occurred),
            "direction": col.labels(("outbound", "inbound"), inbound.astype(np.int64)),
            "duration_seconds": pa.array(duration, type=pa.int32(), mask=~has_duration),
            "outcome": col.labels(outcome_names, outcome),
        }
    )
    return table
