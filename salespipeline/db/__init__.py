"""The loader path: create the raw schema as DDL (``init_db``) and fill it from the CSVs.

An alternative to ``dbt seed`` that enforces the data model's keys, types and defaults in the
warehouse itself. ``python -m salespipeline.db.init_db``, then
``python -m salespipeline.db.data_loading.load_all`` (or one ``load_<table>`` at a time); after
that, ``dbt build --exclude resource_type:seed`` builds the models from the same tables.
"""
