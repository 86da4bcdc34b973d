"""Opportunities and their stage history, built from the simulated deals."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from salespipeline.config import GeneratorConfig
from salespipeline.generator import columns as col
from salespipeline.generator.accounts import CURRENCIES, Accounts
from salespipeline.generator.columns import latest_before
from salespipeline.generator.leads import Leads
from salespipeline.generator.lifecycle import DISQUALIFIED, LOST, WON, Deals
from salespipeline.generator.marketing_events import MarketingEvents
from salespipeline.generator.team import Team
from salespipeline.reference import CAMPAIGNS, LEAD_SOURCES, PRODUCT_LINES, STAGES

# Furthest open stage reached before the deal closes, by outcome (stage orders 1..5).
LOST_AT_STAGE = (0.12, 0.22, 0.30, 0.24, 0.12)
DISQUALIFIED_AT_STAGE = (0.6, 0.4)
CLOSING_STAGE = {WON: "closed_won", LOST: "closed_lost", DISQUALIFIED: "disqualified"}
STAGE_NAMES = [stage.name for stage in STAGES]
NOTES: dict[str, tuple[str, ...]] = {
    "prospecting": ("Inbound interest, intro call booked", "Created from MQL follow-up"),
    "qualification": ("Budget and timeline confirmed", "Champion identified"),
    "discovery": ("Discovery call held", "Technical requirements gathered"),
    "proposal": ("Proposal sent", "Pricing shared with finance"),
    "negotiation": ("Legal redlines in progress", "Procurement review"),
    "closed_won": ("Order form signed", "Signed after security review"),
    "closed_lost": ("Went with a competitor", "No budget this year", "Went dark"),
    "disqualified": (
        "Not a fit: too small",
        "Duplicate of an existing deal",
        "Student / no intent",
    ),
}
BACKWARD_NOTE = "Moved back: new stakeholder joined"
NOTE_SHARE = 0.35
MANUAL_PROBABILITY_SHARE = 0.10


@dataclass(frozen=True)
class Opportunities:
    ids: pa.StringArray
    is_open: np.ndarray
    close_at: np.ndarray
    table: pa.Table
    stage_history: pa.Table


def build_opportunities(
    config: GeneratorConfig,
    rng: np.random.Generator,
    accounts: Accounts,
    leads: Leads,
    events: MarketingEvents,
    team: Team,
    deals: Deals,
) -> Opportunities:
    n = len(deals.account)
    ids = col.uuid4_array(rng, n)
    history = _stage_history(config, rng, deals)
    stage = history["current_stage"]
    is_open = deals.is_open
    probability = np.array([s.default_probability for s in STAGES])[stage]
    manual = is_open & (rng.random(n) < MANUAL_PROBABILITY_SHARE)
    nudged = np.clip(probability + rng.choice([-0.10, -0.05, 0.05, 0.10], n), 0.05, 0.95)
    probability_cents = np.round(np.where(manual, nudged, probability) * 100).astype(np.int64)

    owner = np.where(
        rng.random(n) < 0.9, accounts.owner[deals.account], rng.integers(0, len(team.rep_ids), n)
    )
    # Source and campaign come from the account's latest lead and latest touch before the deal.
    real_lead = np.flatnonzero(~leads.is_double_submit)
    lead = latest_before(
        leads.account[real_lead], leads.created_at[real_lead], deals.account, deals.created_at
    )
    lead = np.where(lead >= 0, real_lead[np.maximum(lead, 0)], -1)
    touch = latest_before(
        leads.account[events.lead], events.occurred_at, deals.account, deals.created_at
    )
    campaign = np.where(touch >= 0, events.campaign[np.maximum(touch, 0)], -1)
    campaign = np.where(rng.random(n) < 0.9, campaign, -1)  # not every rep fills it in
    currency = currency_labels(rng, deals.currency, config.rates.lower_case_currency)

    table = pa.table(
        {
            "opportunity_id": ids,
            "account_id": col.take_ids(accounts.ids, deals.account),
            "owner_id": col.take_ids(team.rep_ids, owner),
            "created_at": col.timestamps(deals.created_at),
            "close_date": col.timestamps(deals.planned_close_at),
            "amount": col.money(deals.amount_cents),
            "currency": currency,
            "stage": col.labels(STAGE_NAMES, stage),
            "stage_probability": col.money(probability_cents, precision=5),
            "lead_source": col.labels(LEAD_SOURCES, leads.source[np.maximum(lead, 0)], lead >= 0),
            "campaign_id": col.take_ids(pa.array([c.campaign_id for c in CAMPAIGNS]), campaign),
            "is_closed": pa.array(~is_open),
            "close_outcome": col.labels(STAGE_NAMES, stage, ~is_open),
            "product_line": col.labels(PRODUCT_LINES, deals.product),
        }
    ).sort_by("created_at")

    rows = history["deal"]
    # Most stage changes are made by the deal's owner, some by a sales manager.
    people = pa.concat_arrays([team.rep_ids, team.manager_ids])
    by_manager = rng.random(len(rows)) < 0.15
    changed_by = np.where(
        by_manager,
        len(team.rep_ids) + rng.integers(0, len(team.manager_ids), len(rows)),
        owner[rows],
    )
    stage_history = pa.table(
        {
            "stage_history_id": col.uuid4_array(rng, len(rows)),
            "opportunity_id": col.take_ids(ids, rows),
            "stage_name": col.labels(STAGE_NAMES, history["stage"]),
            "entered_at": col.timestamps(history["entered_at"]),
            "changed_by": col.take_ids(people, changed_by),
            "notes": _notes(rng, history["stage"], history["is_backward"]),
        }
    ).sort_by([("entered_at", "ascending")])
    return Opportunities(
        ids=ids,
        is_open=is_open,
        close_at=deals.planned_close_at,
        table=table,
        stage_history=stage_history,
    )


def _stage_history(config: GeneratorConfig, rng: np.random.Generator, deals: Deals) -> dict:
    """One row per stage entered: the open stages in order (with the odd step back), then the
    closing stage; rows after the end date are cut, which leaves open deals in their stage."""
    n = len(deals.account)
    outcome = deals.planned_outcome
    furthest = np.select(
        [outcome == WON, outcome == LOST],
        [np.full(n, 5), col.pick(rng, n, LOST_AT_STAGE) + 1],
        col.pick(rng, n, DISQUALIFIED_AT_STAGE) + 1,
    )
    backward = (furthest >= 3) & (rng.random(n) < config.rates.backward_move)
    back_at = np.where(backward, rng.integers(3, np.maximum(furthest, 3) + 1), 0)
    open_rows = furthest + np.where(backward, 2, 0)
    length = open_rows + 1
    deal = np.repeat(np.arange(n), length)
    position = col.group_rank(deal)
    b = back_at[deal]
    is_back = backward[deal]
    open_stage_order = np.where(
        is_back & (position >= b), np.where(position == b, b - 1, position - 1), position + 1
    )
    closing = position == length[deal] - 1
    closing_code = np.array(
        [STAGE_NAMES.index(CLOSING_STAGE[o]) for o in (WON, LOST, DISQUALIFIED)]
    )
    stage = np.where(closing, closing_code[outcome[deal]], open_stage_order - 1)

    # Time between entries: random shares of the sales cycle, at least a second apart.
    cycle = deals.planned_close_at - deals.created_at
    share = rng.exponential(1.0, len(deal))
    share[position == 0] = 0.0
    cumulative = np.cumsum(share)
    group_start = np.r_[0, np.cumsum(length)[:-1]] if n else np.array([], dtype=np.int64)
    group_total = cumulative[group_start + length - 1] - cumulative[group_start] if n else share
    fraction = (cumulative - cumulative[group_start][deal]) / np.where(
        group_total[deal] > 0, group_total[deal], 1.0
    )
    steps = length[deal] - 1
    entered = (
        deals.created_at[deal]
        + np.floor(fraction * (cycle[deal] - steps)).astype(np.int64)
        + position
    )
    entered[closing] = deals.planned_close_at[deal[closing]]

    keep = entered < config.end_ts
    deal, stage, entered, position = deal[keep], stage[keep], entered[keep], position[keep]
    is_backward = (
        np.r_[False, (deal[1:] == deal[:-1]) & (stage[1:] < stage[:-1])] if len(deal) else keep
    )
    last = np.r_[deal[1:] != deal[:-1], True] if len(deal) else keep
    current_stage = np.zeros(n, dtype=np.int64)
    current_stage[deal[last]] = stage[last]
    return {
        "deal": deal,
        "stage": stage,
        "entered_at": entered,
        "is_backward": is_backward,
        "current_stage": current_stage,
    }


def currency_labels(rng: np.random.Generator, currency: np.ndarray, lower_rate: float) -> pa.Array:
    """ISO codes as typed: now and then in lower case."""
    choices = list(CURRENCIES) + [c.lower() for c in CURRENCIES]
    lower = rng.random(len(currency)) < lower_rate
    return col.labels(choices, currency + np.where(lower, len(CURRENCIES), 0))


def _notes(rng: np.random.Generator, stage: np.ndarray, is_backward: np.ndarray) -> pa.Array:
    """A short free-text note on about a third of the stage changes."""
    texts: list[str] = []
    first_text = []
    for name in STAGE_NAMES:
        first_text.append(len(texts))
        texts.extend(NOTES[name])
    counts = np.array([len(NOTES[name]) for name in STAGE_NAMES])
    code = np.asarray(first_text)[stage] + (rng.random(len(stage)) * counts[stage]).astype(np.int64)
    texts.append(BACKWARD_NOTE)
    code = np.where(is_backward, len(texts) - 1, code)
    has_note = is_backward | (rng.random(len(stage)) < NOTE_SHARE)
    return col.labels(texts, code, has_note)
