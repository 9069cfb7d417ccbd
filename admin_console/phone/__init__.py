"""The buddy desk on the buddy's phone: the page's server and one-time enrolment (no Qt).

The page itself is built from web/phone-desk/ into static/ (checked in: a fresh machine needs
no Node.js); docs/phone-desk.md explains the whole.
"""
