import sys

from admin_console.cli import main

sys.exit(main())
