"""The synthetic data generator: one pure function per entity, run in dependency order.

Each entity gets its own random stream derived from the one seed, so a change in how one table is
drawn does not reshuffle the others.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa

from salespipeline.config import GeneratorConfig
from salespipeline.generator.accounts import build_accounts
from salespipeline.generator.activities import build_activities
from salespipeline.generator.billing_orders import build_billing_orders
from salespipeline.generator.contacts import build_contacts
from salespipeline.generator.leads import build_leads
from salespipeline.generator.lifecycle import simulate_journeys
from salespipeline.generator.marketing_events import build_marketing_events
from salespipeline.generator.opportunities import build_opportunities
from salespipeline.generator.pools import build_pools
from salespipeline.generator.team import build_team
from salespipeline.generator.truth import build_truth
from salespipeline.schema import TABLES, column_names

# One random stream per step, each from the seed and its own fixed number (a SeedSequence spawn
# key), so that a step's draws never depend on which other streams exist. A number is never
# reused: 1 belonged to a stream that is gone (the text pools come from Faker's seed instead).
STREAMS = {
    "team": 0,
    "accounts": 2,
    "leads": 3,
    "marketing_events": 4,
    "contacts": 5,
    "lifecycle": 6,
    "opportunities": 7,
    "activities": 8,
    "billing_orders": 9,
}
UNKNOWN_COMPANIES_PER_ACCOUNT = 0.5

Progress = Callable[[str], None]
Sink = Callable[[str, pa.Table], None]


def generate(
    config: GeneratorConfig,
    progress: Progress | None = None,
    sink: Sink | None = None,
    truth_sink: Sink | None = None,
) -> dict[str, pa.Table]:
    """Every raw table, in the data model's column order, keyed by table name.

    ``sink`` receives each table as soon as it is complete, so writing can overlap generation;
    ``truth_sink``, when given, receives the ground truth tables (see ``truth``).
    """
    report = progress or (lambda _step: None)
    tables: dict[str, pa.Table] = {}

    def emit(name: str, table: pa.Table) -> None:
        tables[name] = table.select(column_names(name))
        if sink is not None:
            sink(name, tables[name])

    rng = {
        name: np.random.default_rng(np.random.SeedSequence(config.seed, spawn_key=(number,)))
        for name, number in STREAMS.items()
    }
    n_accounts = config.scaled(config.volumes.accounts)
    pools = build_pools(config.seed, n_accounts, int(n_accounts * UNKNOWN_COMPANIES_PER_ACCOUNT))
    report("users")
    team = build_team(config, rng["team"], pools)
    emit("users", team.table)
    report("accounts")
    accounts = build_accounts(config, rng["accounts"], pools, len(team.rep_ids))
    emit("accounts", accounts.table.sort_by("created_at"))
    report("leads")
    leads = build_leads(config, rng["leads"], pools, accounts, team)
    emit("leads", leads.table)
    report("marketing_events")
    events = build_marketing_events(config, rng["marketing_events"], leads)
    emit("marketing_events", events.table)
    report("contacts")
    contacts = build_contacts(config, rng["contacts"], accounts, leads)
    emit("contacts", contacts.table)
    report("opportunities")
    deals, orders = simulate_journeys(config, rng["lifecycle"], accounts, contacts)
    opportunities = build_opportunities(
        config, rng["opportunities"], accounts, leads, events, team, deals
    )
    emit("opportunities", opportunities.table)
    emit("opportunity_stage_history", opportunities.stage_history)
    report("activities")
    emit("activities", build_activities(config, rng["activities"], contacts, deals, opportunities))
    report("billing_orders")
    emit(
        "billing_orders",
        build_billing_orders(config, rng["billing_orders"], accounts, opportunities, orders),
    )
    if truth_sink is not None:
        report("ground truth")
        for name, table in build_truth(config, accounts, deals, orders, opportunities).items():
            truth_sink(name, table)
    return {name: tables[name] for name in TABLES}
