"""Files under data_dir, nothing else: the notes, the events, the snapshots and the git history.

`notes` and `weekfile` read and write the week's notes file, `noteedit` and `yamltext`
edit its text in place, `events` reads events.yaml, `snapshot` and `tracked` the
pulled snapshots, `datarepo` commits data_dir to git (`archive: git`). The sent
ledger is not here: `reporter.deliver` owns it.
"""
