"""Leads: inbound and outbound prospects, with the repeats and double-submits of a real CRM."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from salespipeline.config import GeneratorConfig
from salespipeline.generator import columns as col
from salespipeline.generator.accounts import Accounts
from salespipeline.generator.pools import FREE_EMAIL_DOMAINS, Pools
from salespipeline.generator.team import Team
from salespipeline.generator.timeline import sample_moments
from salespipeline.reference import LEAD_SOURCES

SOURCE_WEIGHTS = (0.30, 0.20, 0.10, 0.10, 0.08, 0.07, 0.15)
# Share of leads that become marketing qualified, by source: referrals and events qualify most.
MQL_RATE = (0.35, 0.30, 0.20, 0.40, 0.60, 0.50, 0.15)
# Relative lead volume per account by size band: big companies have more people to reach.
LEADS_PER_BAND = (1.0, 2.5, 6.0)
MIN_REPEAT_GAP_DAYS = 21


@dataclass(frozen=True)
class Leads:
    ids: pa.StringArray
    created_at: np.ndarray
    source: np.ndarray  # codes into LEAD_SOURCES
    account: np.ndarray  # account index, -1 when the company is unknown
    email: pa.StringArray  # the clean address
    person: np.ndarray  # who the lead is: repeat leads share the person of an earlier lead
    is_mql: np.ndarray
    is_double_submit: np.ndarray  # the second row of a form double-submit
    table: pa.Table

    def __len__(self) -> int:
        return len(self.created_at)


def build_leads(
    config: GeneratorConfig,
    rng: np.random.Generator,
    pools: Pools,
    accounts: Accounts,
    team: Team,
) -> Leads:
    rates = config.rates
    n = config.scaled(config.volumes.leads)
    created = sample_moments(config, rng, n)
    source = col.pick(rng, n, SOURCE_WEIGHTS)
    account = _assign_accounts(rng, created, accounts, rates.lead_with_account)
    # Each row starts as a new person; a repeat lead is the person of an earlier row coming back
    # weeks later (maybe from another source), with that person's address and company.
    repeat_bound = np.searchsorted(created, created - col.days(MIN_REPEAT_GAP_DAYS), side="right")
    is_repeat = (rng.random(n) < rates.repeat_lead) & (repeat_bound > 0)
    person = np.where(is_repeat, (rng.random(n) * repeat_bound).astype(np.int64), np.arange(n))
    account = account[person]
    email = _emails(rng, pools, accounts, account).take(pa.array(person))

    has_account = account >= 0
    owner = np.where(
        has_account & (rng.random(n) < 0.8),
        accounts.owner[np.where(has_account, account, 0)],
        rng.integers(0, len(team.rep_ids), n),
    )
    mql_rate = np.take(MQL_RATE, source) * np.where(has_account, 1.0, 0.6)
    is_mql = rng.random(n) < mql_rate
    raw_email = messy_emails(rng, email, rates.messy_email)

    # Form double-submits: a copy of the row, seconds to minutes later, identical but for its id.
    double = np.flatnonzero(rng.random(n) < rates.double_submit)
    copy_created = created[double] + rng.integers(20, 300, len(double))
    double, copy_created = (
        double[copy_created < config.end_ts],
        copy_created[copy_created < config.end_ts],
    )
    origin = np.concatenate([np.arange(n), double])
    created_all = np.concatenate([created, copy_created])
    is_double_submit = np.arange(len(origin)) >= n
    in_time_order = col.stable_order(created_all)
    origin, created_all = origin[in_time_order], created_all[in_time_order]
    is_double_submit = is_double_submit[in_time_order]

    ids = col.uuid4_array(rng, len(origin))
    table = pa.table(
        {
            "lead_id": ids,
            "created_at": col.timestamps(created_all),
            "lead_source": col.labels(LEAD_SOURCES, source[origin]),
            "owner_id": col.take_ids(team.rep_ids, owner[origin]),
            "email": raw_email.take(pa.array(origin)),
            "account_id": col.take_ids(accounts.ids, account[origin]),
            "is_marketing_qualified": pa.array(is_mql[origin]),
        }
    )
    return Leads(
        ids=ids,
        created_at=created_all,
        source=source[origin],
        account=account[origin],
        email=email.take(pa.array(origin)),
        person=person[origin],
        is_mql=is_mql[origin],
        is_double_submit=is_double_submit,
        table=table,
    )


def _assign_accounts(
    rng: np.random.Generator, created: np.ndarray, accounts: Accounts, with_account: float
) -> np.ndarray:
    """Each lead's account: weighted by size, among accounts that existed when the lead came in."""
    n = len(created)
    if len(accounts) == 0:
        return np.full(n, -1, dtype=np.int64)
    by_creation = col.stable_order(accounts.created_at)
    cumulative = np.cumsum(np.take(LEADS_PER_BAND, accounts.size_band[by_creation]))
    existing = np.searchsorted(accounts.created_at[by_creation], created, side="right")
    known = (rng.random(n) < with_account) & (existing > 0)
    target = rng.random(n) * cumulative[np.maximum(existing, 1) - 1]
    chosen = np.minimum(np.searchsorted(cumulative, target, side="right"), len(accounts) - 1)
    return np.where(known, by_creation[chosen], -1)


def _emails(
    rng: np.random.Generator, pools: Pools, accounts: Accounts, account: np.ndarray
) -> pa.StringArray:
    """first.last@company style addresses; people with no known account use a free-mail domain or
    an unknown small company's domain. Built with Arrow's string kernels: no per-row Python."""
    n = len(account)
    first = pa.array(pools.first_names).take(pa.array(rng.integers(0, len(pools.first_names), n)))
    last = pa.array(pools.last_names).take(pa.array(rng.integers(0, len(pools.last_names), n)))
    style = col.pick(rng, n, (0.6, 0.2, 0.1, 0.1))
    local = pc.case_when(
        pc.make_struct(*(pa.array(style == code) for code in range(3))),
        pc.binary_join_element_wise(first, last, "."),
        pc.binary_join_element_wise(pc.utf8_slice_codeunits(first, 0, 1), last, ""),
        pc.binary_join_element_wise(first, last, "_"),
        first,
    )
    free = pa.array(FREE_EMAIL_DOMAINS).take(pa.array(rng.integers(0, len(FREE_EMAIL_DOMAINS), n)))
    if len(pools.unknown_domains):
        unknown = pa.array(pools.unknown_domains).take(
            pa.array(rng.integers(0, len(pools.unknown_domains), n))
        )
        free = pc.if_else(pa.array(rng.random(n) < 0.6), free, unknown)
    known = account >= 0
    if len(accounts):
        company = pa.array(accounts.domain).take(pa.array(np.where(known, account, 0)))
        domain = pc.if_else(pa.array(known), company, free)
    else:
        domain = free
    return pc.binary_join_element_wise(local, domain, "@")


def messy_emails(rng: np.random.Generator, email: pa.StringArray, rate: float) -> pa.StringArray:
    """A few addresses as people type them: shouting, capitalised, or with stray spaces."""
    messy = rng.random(len(email)) < rate
    picked = email.filter(pa.array(messy))
    kind = pa.array(rng.integers(0, 3, len(picked)))
    typed = pc.case_when(
        pc.make_struct(pc.equal(kind, 0), pc.equal(kind, 1)),
        pc.utf8_upper(picked),
        pc.utf8_capitalize(picked),
        pc.binary_join_element_wise(" ", picked, " ", ""),
    )
    return pc.replace_with_mask(email, pa.array(messy), typed)
