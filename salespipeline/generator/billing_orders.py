"""Billing orders: the contracts and invoices behind ARR and MRR."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from salespipeline.config import GeneratorConfig
from salespipeline.generator import columns as col
from salespipeline.generator.accounts import Accounts
from salespipeline.generator.lifecycle import Orders
from salespipeline.generator.opportunities import Opportunities, currency_labels


def build_billing_orders(
    config: GeneratorConfig,
    rng: np.random.Generator,
    accounts: Accounts,
    opportunities: Opportunities,
    orders: Orders,
) -> pa.Table:
    n = len(orders.account)
    # The service start is written only where it differs from the day of the order; an empty
    # field means the service starts on the order date.
    start_day = orders.service_start // col.SECONDS_PER_DAY
    differs = start_day != orders.ordered_at // col.SECONDS_PER_DAY
    table = pa.table(
        {
            "order_id": col.uuid4_array(rng, n),
            "account_id": col.take_ids(accounts.ids, orders.account),
            "opportunity_id": col.take_ids(opportunities.ids, orders.deal),
            "amount": col.money(orders.amount_cents),
            "currency": currency_labels(rng, orders.currency, config.rates.lower_case_currency),
            "order_date": col.timestamps(orders.ordered_at),
            "term_months": pa.array(orders.term_months, type=pa.int32()),
            "service_start_date": pa.array(
                start_day.astype(np.int32), type=pa.date32(), mask=~differs
            ),
        }
    )
    return table.sort_by("order_date")
