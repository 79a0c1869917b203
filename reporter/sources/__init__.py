"""Everything that reads the outside world: Jira, Patchwork, the list archive, git, files."""
