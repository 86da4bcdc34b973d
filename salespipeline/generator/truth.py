"""Ground truth: what the simulation planted, for tests to hold the marts against.

Written beside the seeds (never into the seed folder, so dbt never loads it):
- ``opportunities.csv``: every deal's real type (new business, expansion, renewal), whether it
  was won, and its amount in USD;
- ``mrr_movements.csv``: every month in which an account's MRR moved, and how (new, expansion,
  contraction, churn, reactivation), from the contracts the simulation signed that were in force
  at each month's end (on the end date, in its last month).

All money is handled as integer cents: contracts are whole monthly prices and the FX rates have
two decimals, so every figure here is exact.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from salespipeline.config import GeneratorConfig
from salespipeline.generator import columns as col
from salespipeline.generator.accounts import CURRENCIES, Accounts
from salespipeline.generator.lifecycle import KINDS, WON, Deals, Orders
from salespipeline.generator.opportunities import Opportunities
from salespipeline.reference import FX_RATES_TO_USD

TRUTH_TABLES = ("opportunities", "mrr_movements")
MOVEMENTS = ("new", "expansion", "contraction", "churn", "reactivation")
# Rates in hundredths: 1.08 -> 108, so cents * rate // 100 is exact for whole-unit amounts.
_RATE_HUNDREDTHS = np.array([round(FX_RATES_TO_USD[c] * 100) for c in CURRENCIES], dtype=np.int64)


def usd_cents(cents: np.ndarray, currency: np.ndarray) -> np.ndarray:
    converted = cents * _RATE_HUNDREDTHS[currency]
    if (converted % 100).any():
        raise ValueError("an amount does not convert to whole USD cents")
    return converted // 100


def build_truth(
    config: GeneratorConfig,
    accounts: Accounts,
    deals: Deals,
    orders: Orders,
    opportunities: Opportunities,
) -> dict[str, pa.Table]:
    won = (deals.planned_outcome == WON) & ~deals.is_open
    opportunity_truth = pa.table(
        {
            "opportunity_id": opportunities.ids,
            "opportunity_type": col.labels(KINDS, deals.kind),
            "is_won": pa.array(won),
            "is_open": pa.array(deals.is_open),
            "amount_usd": col.money(usd_cents(deals.amount_cents, deals.currency), precision=18),
        }
    )
    return {
        "opportunities": opportunity_truth,
        "mrr_movements": _mrr_movements(config, accounts, orders),
    }


def _mrr_movements(config: GeneratorConfig, accounts: Accounts, orders: Orders) -> pa.Table:
    """Account-month MRR from the contracts in force, and the months in which it moved.

    A contract is in force from its service start for ``term_months`` calendar months (the end
    excluded), and counts in a month when it is in force on the month's last day; in the last
    month of data, on the end date itself. Every contract here pays a whole monthly price.
    """
    monthly = usd_cents(orders.amount_cents, orders.currency) // orders.term_months
    start_day = orders.service_start // col.SECONDS_PER_DAY
    service_end = col.add_months(orders.service_start, orders.term_months)
    end_day = service_end // col.SECONDS_PER_DAY
    end_date_day = (config.end_ts - 1) // col.SECONDS_PER_DAY
    last_month = int(col.month_index(np.array([config.end_ts - 1]))[0])
    first_month = col.month_index(orders.service_start)
    # Before the last month: in force on the month's last day, i.e. the months from the service
    # start's to the one before the service end's (month arithmetic keeps the calendar month).
    covered = np.clip(np.minimum(col.month_index(service_end), last_month) - first_month, 0, None)
    piece = np.repeat(np.arange(len(orders.account)), covered)
    piece_month = first_month[piece] + col.group_rank(piece)
    # The last month: in force on the end date.
    on_end_date = np.flatnonzero((start_day <= end_date_day) & (end_date_day < end_day))
    piece = np.concatenate([piece, on_end_date])
    piece_month = np.concatenate([piece_month, np.full(len(on_end_date), last_month)])
    stride = last_month + 2  # every month is at most last_month: a clean (account, month) key

    # MRR per (account, month) with a contract in force.
    key, inverse = np.unique(orders.account[piece] * stride + piece_month, return_inverse=True)
    paid = np.bincount(inverse, weights=monthly[piece], minlength=len(key)).astype(np.int64)
    paid_account, paid_month = key // stride, key % stride

    # A dense series per account: its first paying month to the month after its last (the churn
    # month), never past the last month of data.
    first = np.full(len(accounts), np.iinfo(np.int64).max)
    last = np.full(len(accounts), -1)
    np.minimum.at(first, paid_account, paid_month)
    np.maximum.at(last, paid_account, paid_month)
    length = np.where(last >= 0, np.minimum(last + 1, last_month) - first + 1, 0).clip(min=0)
    account = np.repeat(np.arange(len(accounts)), length)
    rank = col.group_rank(account)
    month = first[account] + rank
    mrr = np.zeros(len(account), dtype=np.int64)
    shown = paid_month <= last_month
    mrr[np.searchsorted(account * stride + month, key[shown])] = paid[shown]

    opens = rank == 0
    previous = np.where(opens, 0, np.r_[0, mrr[:-1]])
    paying = mrr > 0
    paid_earlier = np.cumsum(paying) - paying  # paying months before this row, all accounts
    paid_before = (paid_earlier - paid_earlier[np.flatnonzero(opens)][np.cumsum(opens) - 1]) > 0
    movement = np.select(
        [
            paying & (previous == 0) & ~paid_before,
            paying & (previous == 0) & paid_before,
            ~paying & (previous > 0),
            paying & (mrr > previous) & (previous > 0),
            paying & (mrr < previous),
        ],
        [0, 4, 3, 1, 2],
        -1,
    )
    moved = movement >= 0
    months = month[moved].astype("datetime64[M]").astype("datetime64[D]")
    return pa.table(
        {
            "account_id": col.take_ids(accounts.ids, account[moved]),
            "mrr_month": pa.array(months, type=pa.date32()),
            "mrr_movement": col.labels(MOVEMENTS, movement[moved]),
            "previous_mrr_usd": col.money(previous[moved], precision=18),
            "mrr_usd": col.money(mrr[moved], precision=18),
        }
    )
