"""The loader path: create the raw schema as DDL (``salespipeline init-db``, :mod:`.ddl`) and fill
it from the CSVs (``salespipeline load all`` or ``load <table>``, :mod:`.data_loading.loader`).

An alternative to ``dbt seed`` that enforces the data model's keys, types and defaults in the
warehouse itself; after it, ``dbt build --exclude resource_type:seed`` builds the models from the
same tables. ``python -m salespipeline.db.init_db`` and the ``load_<table>`` and ``load_all``
modules of :mod:`.data_loading` are the same commands under their first names.
"""
