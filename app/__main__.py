"""`python -m app` is the `labelradar` command."""

import sys

from app.cli import main

sys.exit(main())
