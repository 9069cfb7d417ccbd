"""What the desks act on: the fleet, the help queue, remote commands (no Qt)."""
