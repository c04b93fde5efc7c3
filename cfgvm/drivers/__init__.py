"""Drivers feed the sans-IO engine: dry-run (in memory), later network, replay and the test harness."""
