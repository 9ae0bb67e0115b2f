"""`python -m tooling.deploy`: see tooling/deploy/cli.py."""

from tooling.deploy.cli import main

raise SystemExit(main())
