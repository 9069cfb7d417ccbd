"""The read side: stats, usage, help figures and funder reports (no Qt)."""
