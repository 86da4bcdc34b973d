"""One command per raw table (``load_<table>``) and ``load_all``; the shared logic is ``loader``."""
