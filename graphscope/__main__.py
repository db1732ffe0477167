"""`python -m graphscope ...`: the same as the `graphscope` command."""

import sys

from .cli import main

sys.exit(main())
