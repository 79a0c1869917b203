"""Frozen dataclasses that carry data between sources, compose and render (no I/O)."""
