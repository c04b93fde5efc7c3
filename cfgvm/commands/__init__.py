"""Sub-commands of the `cfgvm` CLI. Each module exports add_arguments(parser) and run(args) -> exit code."""
