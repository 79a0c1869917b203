"""Latency measurement files: detection, streaming parsers and figures."""
