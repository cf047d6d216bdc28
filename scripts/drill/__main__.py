"""``python -m scripts.drill``: see the package's docstring."""

import sys

from scripts.drill.cli import main

sys.exit(main())
