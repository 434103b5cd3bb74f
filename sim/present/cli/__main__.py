"""`python -m sim.present.cli`: the command line, as the `samenspel` console script runs it."""

import sys

from sim.present.cli import main

sys.exit(main())
