"""Shared test helpers: network namespaces and processes (netns), real Kamailio (oracle.kamailio
builds on netns), the in-process dry-run (dryrun)."""
