"""One module per subcommand: `add_arguments(parser)` and `run(ctx, args) -> int`."""
