"""From MQTT to the database: the aggregator (receiver) and its storer process."""
