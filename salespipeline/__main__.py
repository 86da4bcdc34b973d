"""Entry point for ``python -m salespipeline``."""

from salespipeline.cli import main

raise SystemExit(main())
