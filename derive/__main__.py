"""`python -m derive …` runs the command line."""

import sys

from derive.cli import main

sys.exit(main())
