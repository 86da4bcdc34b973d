"""Account journeys: deals won and lost, contracts, upsells, renewals, churn and win-backs.

The simulation runs in rounds, each vectorised over all accounts at the same step of their
journey: first the new-business attempts, then for every live contract its expansion and its
renewal, which start the next round's contracts or end in churn (and maybe a later win-back).
Its output is what really happened; the opportunity and billing tables are built from it, and
the ground truth that tests check the marts against comes from the same arrays.

Contracts are timed as a billing system records them: every order has a service period (its
service start, on any day of the month, for ``term_months`` calendar months) apart from the day
it was booked. Renewals are booked up to 90 days before the old term ends and start when it ends,
or are signed up to 30 days late and start then (a gap in service); some new contracts start days
after they are booked; upsells are co-termed with the contract they extend; monthly plans change
price now and then.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from salespipeline.config import GeneratorConfig
from salespipeline.generator import columns as col
from salespipeline.generator.accounts import CURRENCIES, Accounts
from salespipeline.generator.contacts import Contacts
from salespipeline.reference import FX_RATES_TO_USD

# Opportunity kinds (what the deal really was; the marts must derive it from the history).
NEW_BUSINESS, EXPANSION, RENEWAL, WIN_BACK = 0, 1, 2, 3
KINDS = ("new_business", "expansion", "renewal", "win_back")
# Planned outcomes; an opportunity still open at the end date never reaches its outcome.
WON, LOST, DISQUALIFIED = 0, 1, 2
NEW_BUSINESS_OUTCOME = (0.30, 0.52, 0.18)
WIN_BACK_OUTCOME = (0.45, 0.45, 0.10)
EXPANSION_WIN = 0.60
# Sales cycle (days, median) by size band, and annual contract value (USD, median) by band.
CYCLE_DAYS = (35.0, 65.0, 110.0)
ACV_USD = (14_000.0, 48_000.0, 160_000.0)
PRODUCT_WEIGHTS = (0.65, 0.20, 0.15)
PRODUCT_PRICE = (1.0, 0.55, 0.75)
TERMS = (12, 24, 36)
TERM_WEIGHTS = (0.72, 0.16, 0.12)
MONTHLY_PLAN_SHARE_SMB = 0.25
MAX_NEW_BUSINESS_ATTEMPTS = 4
EXPANSION_LAST_CLOSE_DAYS = 75  # an upsell closes at least this long before the term ends
# Renewal timing: created 45 to 115 days before the term ends (inside the marts' 120-day renewal
# window), booked up to 90 days early, or signed late by up to 30 days.
RENEWAL_CREATED_DAYS = (45.0, 115.0)
RENEWAL_EARLY_DAYS = 90.0
LATE_RENEWAL_SHARE = 0.12
RENEWAL_LATE_DAYS = 30.0
# A share of new contracts starts some days after the deal is booked (the first of a month, a
# go-live date).
DELAYED_START_SHARE = 0.3
DELAYED_START_DAYS = 20.0
# Monthly plans bill on a day from 1 to 28 (a plan won on the 29th to 31st starts on the 1st),
# and a share of them changes price once: an upgrade or a downgrade, in whole tens.
MONTHLY_ANCHOR_LAST_DAY = 28
MONTHLY_PRICE_CHANGE_SHARE = 0.3


@dataclass
class _Buffer:
    """Column lists appended round by round and concatenated once at the end."""

    parts: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def add(self, **columns: np.ndarray) -> None:
        for name, values in columns.items():
            self.parts.setdefault(name, []).append(np.asarray(values))

    def column(self, name: str, dtype: type = np.int64) -> np.ndarray:
        return (
            np.concatenate(self.parts[name]).astype(dtype)
            if name in self.parts
            else np.array([], dtype=dtype)
        )


@dataclass(frozen=True)
class Deals:
    """Every opportunity that was created before the end date, with what would have happened."""

    account: np.ndarray
    kind: np.ndarray
    created_at: np.ndarray
    planned_close_at: np.ndarray
    planned_outcome: np.ndarray
    is_open: np.ndarray  # still open at the end date
    product: np.ndarray
    amount_cents: np.ndarray  # in the account's currency
    currency: np.ndarray  # codes into CURRENCIES


@dataclass(frozen=True)
class Orders:
    """Billing orders: won deals, renewals, upsells, monthly plan invoices."""

    account: np.ndarray
    deal: np.ndarray  # index into Deals, -1 for a monthly plan's recurring invoice
    ordered_at: np.ndarray
    term_months: np.ndarray
    amount_cents: np.ndarray
    currency: np.ndarray
    service_start: np.ndarray  # midnight (Unix seconds) of the first day of service


def _monthly_price(usd_per_month: np.ndarray, currency: np.ndarray) -> np.ndarray:
    """A monthly list price in the account's currency: whole tens of units, at least ten.

    Every amount is a whole monthly price times a number of months, so MRR is exact to the cent
    in the original currency and, at the fx seed's two-decimal rates, in USD too: the movements
    the marts find are the ones planted, with no rounding noise.
    """
    rate = np.asarray([FX_RATES_TO_USD[c] for c in CURRENCIES])[currency]
    return np.maximum(np.round(usd_per_month / rate / 10), 1).astype(np.int64) * 10


def _monthly_anchor(booked: np.ndarray) -> np.ndarray:
    """A monthly plan's first day: the day it was booked, or the 1st of the next month when that
    day is past the 28th (so that every later invoice falls on the same day of the month)."""
    day = col.midnight(booked)
    late_in_month = col.day_of_month(day) > MONTHLY_ANCHOR_LAST_DAY
    return np.where(late_in_month, col.add_months(col.month_start(day), 1), day)


class _Journeys:
    def __init__(self, config: GeneratorConfig, rng: np.random.Generator, accounts: Accounts):
        self.config = config
        self.rng = rng
        self.accounts = accounts
        self.deals = _Buffer()
        self.orders = _Buffer()
        self.n_deals = 0
        self.win_back_queue: list[tuple[np.ndarray, np.ndarray]] = []

    # --- recording -------------------------------------------------------------------------
    def record_deals(self, **columns: np.ndarray) -> np.ndarray:
        n = len(columns["account"])
        self.deals.add(**columns)
        index = np.arange(self.n_deals, self.n_deals + n)
        self.n_deals += n
        return index

    def record_orders(
        self, account, deal, ordered_at, term_months, amount_cents, service_start
    ) -> None:
        self.orders.add(
            account=account,
            deal=deal,
            ordered_at=ordered_at,
            term_months=term_months,
            amount_cents=amount_cents,
            service_start=service_start,
        )

    # --- new business ------------------------------------------------------------------------
    def new_business(
        self, account: np.ndarray, created: np.ndarray, outcome_weights, kind: int = NEW_BUSINESS
    ) -> tuple:
        """Attempt chains: a lost deal may be tried again months later. Returns won contracts.

        ``kind`` is only recorded (for the truth tables): a win-back is sold like new business.
        """
        rng, end = self.rng, self.config.end_ts
        won_parts: list[tuple[np.ndarray, ...]] = []
        for _ in range(MAX_NEW_BUSINESS_ATTEMPTS):
            keep = created < end
            account, created = account[keep], created[keep]
            n = len(account)
            if n == 0:
                break
            band = self.accounts.size_band[account]
            currency = self.accounts.currency[account]
            outcome = col.pick(rng, n, outcome_weights)
            speed = np.select([outcome == DISQUALIFIED, outcome == LOST], [0.35, 0.8], 1.0)
            cycle = np.maximum(col.lognormal(rng, np.take(CYCLE_DAYS, band), 0.5, n) * speed, 3)
            close = created + col.days(cycle)
            product = col.pick(rng, n, PRODUCT_WEIGHTS)
            acv_usd = col.lognormal(rng, np.take(ACV_USD, band), 0.45, n) * np.take(
                PRODUCT_PRICE, product
            )
            monthly = (band == 0) & (rng.random(n) < MONTHLY_PLAN_SHARE_SMB)
            term = np.where(monthly, 1, np.take(TERMS, col.pick(rng, n, TERM_WEIGHTS)))
            # A monthly plan's deal is one month's fee; a term contract's is its whole value.
            amount = _monthly_price(acv_usd / 12, currency) * term * 100
            is_open = close >= end
            deal = self.record_deals(
                account=account,
                kind=np.full(n, kind),
                created_at=created,
                planned_close_at=close,
                planned_outcome=outcome,
                is_open=is_open,
                product=product,
                amount_cents=amount,
                currency=currency,
            )
            won = (outcome == WON) & ~is_open
            won_parts.append((account[won], deal[won], close[won], term[won], amount[won]))
            retry = (
                (outcome != WON) & ~is_open & (rng.random(n) < self.config.rates.retry_after_loss)
            )
            account = account[retry]
            created = close[retry] + col.days(col.lognormal(rng, 120.0, 0.5, int(retry.sum())))
        if not won_parts:
            empty = np.array([], dtype=np.int64)
            return empty, empty, empty, empty, empty
        return tuple(np.concatenate(part) for part in zip(*won_parts, strict=True))

    def start_contracts(self, account, deal, booked, term, amount) -> tuple:
        """Book the first order of each won deal; monthly plans run to their churn right away.

        A term contract starts on the day it is booked or, for a share, some days later; a
        monthly plan starts on its billing anchor day.
        """
        rng = self.rng
        n = len(account)
        monthly = term == 1
        delayed = ~monthly & (rng.random(n) < DELAYED_START_SHARE)
        delay = np.where(delayed, rng.integers(1, int(DELAYED_START_DAYS) + 1, n), 0)
        start = np.where(monthly, _monthly_anchor(booked), col.midnight(booked) + col.days(delay))
        self.record_orders(account, deal, booked, term, amount, start)
        self.monthly_plans(account[monthly], booked[monthly], start[monthly], amount[monthly])
        term_contract = ~monthly
        return (
            account[term_contract],
            start[term_contract],
            term[term_contract],
            amount[term_contract] // term[term_contract],
        )

    def monthly_plans(self, account, booked, start, fee) -> None:
        """Monthly invoices after the first until the customer cancels; cancellers may come back.

        Each invoice is booked on its period's first day, at the time of day the plan was sold,
        and pays for one month from then. A share of plans changes its fee once, from a random
        invoice on: up 20 to 60 % or down 10 to 30 %, in whole tens of the currency.
        """
        rng, end = self.rng, self.config.end_ts
        n = len(account)
        months_paid = rng.geometric(self.config.rates.monthly_churn, n)
        changes = (rng.random(n) < MONTHLY_PRICE_CHANGE_SHARE) & (months_paid > 1)
        change_at = rng.integers(1, np.maximum(months_paid, 2))
        factor = np.where(rng.random(n) < 0.6, rng.uniform(1.2, 1.6, n), rng.uniform(0.7, 0.9, n))
        changed_fee = np.maximum(np.round(fee * factor / 1000), 1).astype(np.int64) * 1000
        invoice = np.repeat(np.arange(n), np.maximum(months_paid - 1, 0))
        k = col.group_rank(invoice) + 1
        period_start = col.add_months(start[invoice], k)
        ordered = period_start + (booked[invoice] - col.midnight(booked[invoice]))
        inside = ordered < end
        invoice, k = invoice[inside], k[inside]
        period_start, ordered = period_start[inside], ordered[inside]
        self.record_orders(
            account[invoice],
            np.full(len(invoice), -1),
            ordered,
            np.ones(len(invoice)),
            np.where(
                changes[invoice] & (k >= change_at[invoice]), changed_fee[invoice], fee[invoice]
            ),
            period_start,
        )
        churned_at = col.add_months(start, months_paid)
        self.queue_win_backs(account[churned_at < end], churned_at[churned_at < end])

    # --- term contracts ------------------------------------------------------------------------
    def run_contracts(self, account, start, term, mrr) -> None:
        """Contracts in rounds; ``mrr`` is each contract's monthly price in cents (whole units)."""
        rng, end, rates = self.rng, self.config.end_ts, self.config.rates
        while len(account):
            n = len(account)
            term_end = col.add_months(start, term)
            currency = self.accounts.currency[account]

            # Mid-term expansion: more seats or another product, co-termed with the contract: its
            # service runs for the whole months from the first day on or after the upsell's
            # booking that lies a whole number of months before the term's end.
            wants = rng.random(n) < np.minimum(rates.expansion_per_contract * term / 12, 0.9)
            exp_created = start + (rng.uniform(0.15, 0.6, n) * (term_end - start)).astype(np.int64)
            exp_close = exp_created + col.days(col.lognormal(rng, 30.0, 0.5, n))
            wants &= (exp_created < end) & (
                exp_close < term_end - col.days(EXPANSION_LAST_CLOSE_DAYS)
            )
            up_term = col.month_index(term_end) - col.month_index(exp_close)
            up_term -= col.add_months(term_end, -up_term) < col.midnight(exp_close)
            up_start = col.add_months(term_end, -up_term)
            added = np.maximum(np.round(mrr * rng.uniform(0.15, 0.6, n) / 100), 1).astype(np.int64)
            up_amount = added * 100 * up_term
            exp_won = rng.random(n) < EXPANSION_WIN
            e = np.flatnonzero(wants)
            exp_open = exp_close[e] >= end
            exp_deal = self.record_deals(
                account=account[e],
                kind=np.full(len(e), EXPANSION),
                created_at=exp_created[e],
                planned_close_at=exp_close[e],
                planned_outcome=np.where(exp_won[e], WON, LOST),
                is_open=exp_open,
                product=col.pick(rng, len(e), PRODUCT_WEIGHTS),
                amount_cents=up_amount[e],
                currency=currency[e],
            )
            booked = exp_won[e] & ~exp_open
            self.record_orders(
                account[e][booked],
                exp_deal[booked],
                exp_close[e][booked],
                up_term[e][booked],
                up_amount[e][booked],
                up_start[e][booked],
            )
            mrr = mrr.copy()
            mrr[e[booked]] += added[e][booked] * 100

            # Renewal at a new price; a lost renewal is churn when the term ends. Most are booked
            # 0 to 90 days early and start when the old term ends; a share is signed up to 30
            # days late and starts on the day it is signed, after a gap in service.
            late = rng.random(n) < LATE_RENEWAL_SHARE
            ren_close = np.where(
                late,
                term_end + col.days(rng.uniform(1, RENEWAL_LATE_DAYS, n)),
                term_end - col.days(rng.uniform(0, RENEWAL_EARLY_DAYS, n)),
            )
            ren_created = term_end - col.days(
                rng.uniform(
                    np.maximum(RENEWAL_CREATED_DAYS[0], (term_end - ren_close) / 86_400 + 10),
                    RENEWAL_CREATED_DAYS[1],
                    n,
                )
            )
            ren_start = np.where(late, col.midnight(ren_close), term_end)
            renews = rng.random(n) < rates.renewal
            change = np.select(
                [rng.random(n) < 0.45, rng.random(n) < 0.64],
                [rng.uniform(0.03, 0.10, n), np.zeros(n)],
                -rng.uniform(0.05, 0.20, n),
            )
            new_term = np.where((term > 12) & (rng.random(n) < 0.3), 12, term)
            new_mrr = np.maximum(np.round(mrr * (1 + change) / 100), 1).astype(np.int64) * 100
            new_amount = new_mrr * new_term
            r = np.flatnonzero(ren_created < end)
            ren_open = ren_close[r] >= end
            ren_deal = self.record_deals(
                account=account[r],
                kind=np.full(len(r), RENEWAL),
                created_at=ren_created[r],
                planned_close_at=ren_close[r],
                planned_outcome=np.where(renews[r], WON, LOST),
                is_open=ren_open,
                product=col.pick(rng, len(r), PRODUCT_WEIGHTS),
                amount_cents=new_amount[r],
                currency=currency[r],
            )
            renewed = r[renews[r] & ~ren_open]
            renewed_deal = ren_deal[renews[r] & ~ren_open]
            self.record_orders(
                account[renewed],
                renewed_deal,
                ren_close[renewed],
                new_term[renewed],
                new_amount[renewed],
                ren_start[renewed],
            )
            churned = r[~renews[r] & ~ren_open]
            self.queue_win_backs(account[churned], term_end[churned])

            account, start = account[renewed], ren_start[renewed]
            term = new_term[renewed]
            mrr = new_mrr[renewed]

    # --- win-backs -------------------------------------------------------------------------
    def queue_win_backs(self, account: np.ndarray, churned_at: np.ndarray) -> None:
        rng = self.rng
        comes_back = rng.random(len(account)) < self.config.rates.win_back
        created = churned_at[comes_back] + col.days(
            col.lognormal(rng, 150.0, 0.4, int(comes_back.sum()))
        )
        if comes_back.any():
            self.win_back_queue.append((account[comes_back], created))

    def simulate(self, contacts: Contacts) -> tuple[Deals, Orders]:
        rng = self.rng
        n_accounts = len(self.accounts)
        first_contact = np.full(n_accounts, np.iinfo(np.int64).max)
        np.minimum.at(first_contact, contacts.account, contacts.created_at)
        prospects = np.flatnonzero(first_contact < np.iinfo(np.int64).max)
        prospects = prospects[rng.random(len(prospects)) < self.config.rates.first_opportunity]
        created = first_contact[prospects] + col.days(col.lognormal(rng, 21.0, 0.6, len(prospects)))
        won = self.new_business(prospects, created, NEW_BUSINESS_OUTCOME)
        self.run_contracts(*self.start_contracts(*won))
        while self.win_back_queue:
            account = np.concatenate([a for a, _ in self.win_back_queue])
            created = np.concatenate([c for _, c in self.win_back_queue])
            self.win_back_queue = []
            won = self.new_business(account, created, WIN_BACK_OUTCOME, WIN_BACK)
            self.run_contracts(*self.start_contracts(*won))
        return self._deals(), self._orders()

    def _deals(self) -> Deals:
        d = self.deals
        return Deals(
            account=d.column("account"),
            kind=d.column("kind"),
            created_at=d.column("created_at"),
            planned_close_at=d.column("planned_close_at"),
            planned_outcome=d.column("planned_outcome"),
            is_open=d.column("is_open", bool),
            product=d.column("product"),
            amount_cents=d.column("amount_cents"),
            currency=d.column("currency"),
        )

    def _orders(self) -> Orders:
        o = self.orders
        account = o.column("account")
        return Orders(
            account=account,
            deal=o.column("deal"),
            ordered_at=o.column("ordered_at"),
            term_months=o.column("term_months"),
            amount_cents=o.column("amount_cents"),
            currency=self.accounts.currency[account] if len(account) else np.array([], np.int64),
            service_start=o.column("service_start"),
        )


def simulate_journeys(
    config: GeneratorConfig, rng: np.random.Generator, accounts: Accounts, contacts: Contacts
) -> tuple[Deals, Orders]:
    return _Journeys(config, rng, accounts).simulate(contacts)
