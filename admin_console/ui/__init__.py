"""The admin console's and buddy desk's Qt screens."""
