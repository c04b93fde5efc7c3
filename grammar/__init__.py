"""The PLY lexer and parser for the Kamailio configuration language (installed as cfgvm.grammar)."""
