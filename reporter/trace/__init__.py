"""Explains latency spikes in ftrace records (`reporter trace`) and records such traces."""
