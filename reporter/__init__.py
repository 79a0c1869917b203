"""reporter: writes, tracks and sends an engineer's weekly status email."""

__version__ = "0.1.0"
