"""The kiosk's Qt screens and the composition root (``app``): they draw the model."""

from kiosk.ui.pyside_startup import quicker_feature_check

quicker_feature_check()  # before the screens' modules load (kiosk/ui/pyside_startup.py)
