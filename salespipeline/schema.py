"""The raw data model: the raw tables, their columns in order and types.

This is the single Python statement of the data model. The generator writes columns in this order,
and the tests check every CSV header and value against it.

Columns added after the first version of the data model are ``optional``: they come last, and a
file written before they existed (without them in its header) still loads, with the column null.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # uuid, varchar(n), numeric(p,s), timestamp, date, boolean, int, text
    nullable: bool = True
    # The data model's default, as a SQL expression for init_db's DDL (None: no default). It fills
    # a column only when an INSERT leaves it out; the loaders always name every column.
    default: str | None = None
    # A file may leave the column out of its header (it was added to the data model later).
    optional: bool = False


def _cols(
    *specs: tuple[str, str] | tuple[str, str, bool] | tuple[str, str, bool, str] | Column,
) -> tuple[Column, ...]:
    return tuple(spec if isinstance(spec, Column) else Column(*spec) for spec in specs)


# Tables in dependency order: every table's parents come before it.
TABLES: dict[str, tuple[Column, ...]] = {
    # The people behind owner_id and changed_by (added after the first version of the model).
    "users": _cols(
        ("user_id", "uuid", False),
        ("name", "varchar(255)", False),
        ("email", "varchar(255)"),
        ("role", "varchar(50)"),
        ("team", "varchar(100)"),
        ("manager_id", "uuid"),
    ),
    "accounts": _cols(
        ("account_id", "uuid", False),
        ("name", "varchar(255)", False),
        ("industry", "varchar(100)"),
        ("annual_revenue", "numeric(15,2)"),
        ("region", "varchar(100)"),
        ("created_at", "timestamp", True, "now()"),
    ),
    "leads": _cols(
        ("lead_id", "uuid", False),
        ("created_at", "timestamp", False, "now()"),
        ("lead_source", "varchar(50)"),
        ("owner_id", "uuid"),
        ("email", "varchar(255)"),
        ("account_id", "uuid"),
        ("is_marketing_qualified", "boolean"),
    ),
    "contacts": _cols(
        ("contact_id", "uuid", False),
        ("lead_id", "uuid"),
        ("account_id", "uuid"),
        ("created_at", "timestamp", False, "now()"),
        ("email", "varchar(255)"),
        ("title", "varchar(100)"),
        ("geo", "varchar(100)"),
    ),
    "opportunities": _cols(
        ("opportunity_id", "uuid", False),
        ("account_id", "uuid", False),
        ("owner_id", "uuid", False),
        ("created_at", "timestamp", True, "now()"),
        ("close_date", "timestamp"),
        ("amount", "numeric(15,2)"),
        ("currency", "varchar(10)", True, "'USD'"),
        ("stage", "varchar(100)"),
        ("stage_probability", "numeric(5,2)"),
        ("lead_source", "varchar(50)"),
        ("campaign_id", "uuid"),
        ("is_closed", "boolean", True, "false"),
        ("close_outcome", "varchar(50)"),
        ("product_line", "varchar(100)"),
    ),
    "opportunity_stage_history": _cols(
        ("stage_history_id", "uuid", False),
        ("opportunity_id", "uuid", False),
        ("stage_name", "varchar(100)"),
        ("entered_at", "timestamp", False),
        ("changed_by", "uuid"),
        ("notes", "text"),
    ),
    "activities": _cols(
        ("activity_id", "uuid", False),
        ("opportunity_id", "uuid"),
        ("contact_id", "uuid"),
        ("activity_type", "varchar(50)"),
        ("occurred_at", "timestamp", False),
        ("direction", "varchar(10)"),
        ("duration_seconds", "int"),
        ("outcome", "varchar(100)"),
    ),
    "marketing_events": _cols(
        ("event_id", "uuid", False),
        ("lead_id", "uuid"),
        ("event_type", "varchar(50)"),
        ("utm_source", "varchar(100)"),
        ("utm_campaign", "varchar(100)"),
        ("occurred_at", "timestamp", False),
        ("cost", "numeric(10,2)"),
    ),
    "billing_orders": _cols(
        ("order_id", "uuid", False),
        ("account_id", "uuid", False),
        ("opportunity_id", "uuid"),
        ("amount", "numeric(15,2)"),
        ("currency", "varchar(10)", True, "'USD'"),
        ("order_date", "timestamp", False),
        ("term_months", "int"),
        # First day of the service the order pays for; empty: the day of order_date.
        Column("service_start_date", "date", optional=True),
    ),
}

# Every foreign key of the data model: (table, column) -> (parent table, parent column).
FOREIGN_KEYS: dict[tuple[str, str], tuple[str, str]] = {
    ("leads", "owner_id"): ("users", "user_id"),
    ("opportunities", "owner_id"): ("users", "user_id"),
    ("opportunity_stage_history", "changed_by"): ("users", "user_id"),
    ("leads", "account_id"): ("accounts", "account_id"),
    ("contacts", "lead_id"): ("leads", "lead_id"),
    ("contacts", "account_id"): ("accounts", "account_id"),
    ("opportunities", "account_id"): ("accounts", "account_id"),
    ("opportunity_stage_history", "opportunity_id"): ("opportunities", "opportunity_id"),
    ("activities", "opportunity_id"): ("opportunities", "opportunity_id"),
    ("activities", "contact_id"): ("contacts", "contact_id"),
    ("marketing_events", "lead_id"): ("leads", "lead_id"),
    ("billing_orders", "account_id"): ("accounts", "account_id"),
    ("billing_orders", "opportunity_id"): ("opportunities", "opportunity_id"),
}


def primary_key(table: str) -> str:
    """The primary key column: the first column of every table in the data model."""
    return TABLES[table][0].name


def column_names(table: str) -> list[str]:
    return [column.name for column in TABLES[table]]


def required_column_names(table: str) -> list[str]:
    """The columns every file of ``table`` must have: all but the trailing optional ones."""
    return [column.name for column in TABLES[table] if not column.optional]
