"""`reporter doctor`'s checks, one module per service; each returns results and nothing here
sends mail or writes a file. `checks.run_checks` runs them in order; the command prints."""
