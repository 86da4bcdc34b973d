"""Small pools of text built once from Faker's word lists; every row then picks from them by index.

Faker is only used here, for its curated lists of names: calling it once per row would be orders
of magnitude slower. Picks are drawn with our own seeded NumPy generator, so the output is
reproducible for a given seed (and Faker's lists are pinned with its version).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from faker.providers.person.en_US import Provider as PersonProvider

COMPANY_SUFFIXES: tuple[str, ...] = (
    "Analytics",
    "Labs",
    "Systems",
    "Group",
    "Logistics",
    "Health",
    "Partners",
    "Technologies",
    "Holdings",
    "Solutions",
    "Networks",
    "Dynamics",
    "Industries",
    "Capital",
    "Foods",
    "Energy",
    "Media",
    "Robotics",
    "Bio",
    "Works",
    "Software",
    "Retail",
    "Security",
    "Cloud",
    "Freight",
    "Manufacturing",
    "Consulting",
    "Financial",
    "Pharma",
    "Learning",
)
FREE_EMAIL_DOMAINS: tuple[str, ...] = ("gmail.com", "outlook.com", "yahoo.com", "proton.me")
TOP_LEVEL_DOMAINS: tuple[str, ...] = (".com", ".com", ".com", ".io", ".co", ".net")


@dataclass(frozen=True)
class Pools:
    first_names: np.ndarray
    last_names: np.ndarray
    company_names: np.ndarray  # one unique name per account (numbered past the word pool)
    company_domains: np.ndarray  # aligned with company_names
    unknown_domains: np.ndarray  # small companies that never become accounts


def build_pools(seed: int, n_accounts: int, n_unknown: int) -> Pools:
    n_companies = n_accounts + n_unknown
    # Sorted: a set's or dict's order is not something to rely on across Faker versions.
    first = sorted(set(PersonProvider.first_names))
    last = sorted(set(PersonProvider.last_names))
    rng = np.random.default_rng(seed)
    combos = np.array([f"{name} {suffix}" for name in last for suffix in COMPANY_SUFFIXES])
    order = rng.permutation(len(combos))
    repeats = -(-n_companies // len(combos)) if n_companies else 0
    names = []
    for round_ in range(repeats):
        chunk = combos[order]
        names.append(chunk if round_ == 0 else np.char.add(chunk, f" {round_ + 1}"))
    company_names = np.concatenate(names)[:n_companies] if names else np.array([], dtype=str)
    tlds = np.array(TOP_LEVEL_DOMAINS)[rng.integers(0, len(TOP_LEVEL_DOMAINS), n_companies)]
    slugs = np.array([re.sub(r"[^a-z0-9]", "", name.lower()) for name in company_names], dtype=str)
    domains = np.char.add(slugs, tlds) if n_companies else np.array([], dtype=str)
    return Pools(
        first_names=np.array([_slug(name) for name in first]),
        last_names=np.array([_slug(name) for name in last]),
        company_names=company_names[:n_accounts],
        company_domains=domains[:n_accounts],
        unknown_domains=domains[n_accounts:],
    )


def _slug(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())
