"""PyInstaller entry point of the bundled admin console: the same main as `admin-console`."""

import multiprocessing
import sys

from admin_console.cli import main

if __name__ == "__main__":
    # `admin-console serve` stores in a child process (spawned): in a bundle, the child is this
    # executable again, and this line makes it the child instead of a second console.
    multiprocessing.freeze_support()
    sys.exit(main())
