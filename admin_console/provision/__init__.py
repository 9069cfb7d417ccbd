"""``admin-console provision``: broker directory, TLS, credentials, ACLs."""
