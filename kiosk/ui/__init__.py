"""The kiosk's Qt screens and the composition root (``app``): they draw the model."""
