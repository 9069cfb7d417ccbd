"""``python -m admin_console.demo.run`` (``make demo``)."""

import sys

from admin_console.demo.run import main

sys.exit(main())
