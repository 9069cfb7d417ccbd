"""Printing for the visitor, without Qt: the site's CUPS, page limits, and nothing left behind."""
