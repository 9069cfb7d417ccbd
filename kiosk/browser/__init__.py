"""The browser's rules without Qt: the allowlist, what is blocked and why, file URLs."""
