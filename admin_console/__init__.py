"""The aggregator, the buddy desk and the coordinators' tools."""
