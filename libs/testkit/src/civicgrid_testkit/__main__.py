"""`python -m civicgrid_testkit ...` is the `civicgrid-infra` command."""

from civicgrid_testkit.cli import main

raise SystemExit(main())
