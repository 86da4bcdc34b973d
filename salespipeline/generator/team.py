"""The sales team: the people who own leads and deals and move them through the stages.

A few sales managers, each leading a team, and a pool of reps spread over those teams. They are
written as the ``users`` table, which ``owner_id`` and ``changed_by`` point to.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from salespipeline.config import GeneratorConfig
from salespipeline.generator import columns as col
from salespipeline.generator.pools import Pools

TEAM_NAMES = ("Enterprise", "Mid-Market", "Commercial", "SMB", "Strategic", "Growth")
ROLES = ("sales_rep", "sales_manager")
EMAIL_DOMAIN = "salespipeline.example"


@dataclass(frozen=True)
class Team:
    rep_ids: pa.StringArray
    manager_ids: pa.StringArray
    table: pa.Table  # the users table: managers first, then reps


def build_team(config: GeneratorConfig, rng: np.random.Generator, pools: Pools) -> Team:
    # Never fewer than a handful of reps, so per-owner marts stay meaningful on tiny datasets;
    # nobody at all at scale 0, whose files are headers only.
    n_reps = max(4, config.scaled(config.volumes.sales_reps)) if config.scale > 0 else 0
    n_managers = max(2, config.scaled(config.volumes.sales_managers)) if config.scale > 0 else 0
    rep_ids = col.uuid4_array(rng, n_reps)
    manager_ids = col.uuid4_array(rng, n_managers)
    n = n_managers + n_reps
    # Distinct people: a random sample of (first, last) name pairs without repeats.
    pair = rng.choice(len(pools.first_names) * len(pools.last_names), size=n, replace=False)
    first = pools.first_names[pair // len(pools.last_names)]
    last = pools.last_names[pair % len(pools.last_names)]
    names = np.char.add(np.char.add(np.char.capitalize(first), " "), np.char.capitalize(last))
    emails = np.char.add(np.char.add(np.char.add(first, "."), last), "@" + EMAIL_DOMAIN)
    # Each rep reports to one manager; each manager leads one team.
    rep_manager = rng.integers(0, n_managers, n_reps)
    team_of_manager = np.array(
        [
            TEAM_NAMES[i % len(TEAM_NAMES)]
            + ("" if i < len(TEAM_NAMES) else f" {i // len(TEAM_NAMES) + 1}")
            for i in range(n_managers)
        ]
    )
    manager = np.r_[np.full(n_managers, -1), rep_manager]
    table = pa.table(
        {
            "user_id": pa.concat_arrays([manager_ids, rep_ids]),
            "name": pa.array(names.tolist(), type=pa.string()),
            "email": pa.array(emails.tolist(), type=pa.string()),
            "role": col.labels(ROLES, np.r_[np.ones(n_managers), np.zeros(n_reps)]),
            "team": pa.array(
                np.r_[team_of_manager, team_of_manager[rep_manager]].tolist(), type=pa.string()
            ),
            "manager_id": col.take_ids(manager_ids, manager),
        }
    )
    return Team(rep_ids=rep_ids, manager_ids=manager_ids, table=table)
