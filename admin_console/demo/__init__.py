"""``make demo`` and its data: the whole suite on one PC."""
