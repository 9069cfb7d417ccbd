"""The MQTT links of the console and the buddy desk; the embedded demo broker."""
