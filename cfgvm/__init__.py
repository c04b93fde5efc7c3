"""cfgvm: the Kamailio configuration language in Python (compatibility target: Kamailio 5.6)."""

__version__ = "0.1.0"

# The Kamailio version whose behaviour we reproduce (predefined KAMAILIO_5_6_3 etc.).
KAMAILIO_VERSION = (5, 6, 3)
