"""The sales team: a fixed pool of reps who own accounts, leads and deals, and their managers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from salespipeline.config import GeneratorConfig
from salespipeline.generator import columns as col


@dataclass(frozen=True)
class Team:
    rep_ids: pa.StringArray
    manager_ids: pa.StringArray


def build_team(config: GeneratorConfig, rng: np.random.Generator) -> Team:
    # Never fewer than a handful of reps, so per-owner marts stay meaningful on tiny datasets.
    n_reps = max(4, config.scaled(config.volumes.sales_reps))
    n_managers = max(2, config.scaled(config.volumes.sales_managers))
    return Team(rep_ids=col.uuid4_array(rng, n_reps), manager_ids=col.uuid4_array(rng, n_managers))
