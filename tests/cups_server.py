"""The tests' private CUPS with a virtual PDF printer: admin_console/demo/virtual_printer.py
(`make demo` prints through the same one)."""

from admin_console.demo.virtual_printer import PPD, CupsServer, cups_server, missing

__all__ = ["PPD", "CupsServer", "cups_server", "missing"]
