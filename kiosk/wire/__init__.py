"""What goes over the wire: the protocol and how to reach the broker. Shared by every part."""
