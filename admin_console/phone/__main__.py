"""``python -m admin_console.phone --dir DIR``: serve the phone desk (see server.py)."""

from admin_console.phone.server import main

raise SystemExit(main())
