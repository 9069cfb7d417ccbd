"""PyInstaller entry point of the bundled kiosk: the same ``main`` as the ``kiosk`` command."""

import sys

from kiosk.cli import main

if __name__ == "__main__":
    sys.exit(main())
