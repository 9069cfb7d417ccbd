"""The kiosk shell that runs on every public PC."""

__version__ = "0.1.0"
