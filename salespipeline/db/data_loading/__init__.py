"""The loaders (:mod:`.loader`), and one alias module per ``salespipeline load`` target:
``load_<table>`` and ``load_all``."""
