"""``python -m desktop``: the same as the ``backoffice`` command."""

import sys

from desktop.cli import main

sys.exit(main())
