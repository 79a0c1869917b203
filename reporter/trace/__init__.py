"""Explains latency spikes in ftrace records (`reporter trace`): reading, analysis, wording, plot, recording."""
