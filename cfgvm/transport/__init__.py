"""Network transports for `cfgvm run`: the socket table (sockets.py, no I/O), UDP and TCP (udp.py,
tcp.py: non-blocking sockets driven by the selectors loop in cfgvm/drivers/network.py)."""
