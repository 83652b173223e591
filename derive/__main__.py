"""`python -m derive …` runs the command line."""

import sys

try:
    from derive.cli import main
except KeyboardInterrupt:  # Ctrl-C while Python is still loading derive: no traceback
    sys.stderr.write("derive: interrupted\n")
    sys.exit(130)

sys.exit(main())
