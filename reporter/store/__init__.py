"""Files under data_dir: notes, events, snapshots and the sent ledger."""
