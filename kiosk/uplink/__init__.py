"""The way out: the MQTT link that drains the outbox, and the health figures it reports."""
