"""tests/net: the SIPp differential suite (real Kamailio as the oracle) and the netns topologies."""
