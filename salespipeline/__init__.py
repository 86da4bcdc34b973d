"""salespipeline: synthetic B2B go-to-market data and the dbt project that models it."""

__version__ = "0.1.0"
