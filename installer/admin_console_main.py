"""PyInstaller entry point of the bundled admin console: the same main as `admin-console`."""

import sys

from admin_console.cli import main

if __name__ == "__main__":
    sys.exit(main())
