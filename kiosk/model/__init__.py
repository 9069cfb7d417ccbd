"""The visit without Qt: the model, its clock, commands, staff exit, the outbox it writes."""
