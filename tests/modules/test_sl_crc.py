"""sl's to-tag suffix: Kamailio's crcitt (reflected 0x8408, init 0xFFFF, complemented) is the
CRC-16/X-25 of the CRC catalogues, printed as 4 hex digits least significant first."""
from cfgvm.stdlib.sl import crcitt_hex


def test_crc16_x25_check_value():
    # catalogue check value of CRC-16/X-25 over "123456789": 0x906E
    assert crcitt_hex(["123456789"]) == "e609"


def test_parts_are_one_stream():
    assert crcitt_hex(["1234", "56789"]) == crcitt_hex(["123456789"])
    assert crcitt_hex([]) == crcitt_hex([""])          # empty input: 0xFFFF complemented = 0x0000
    assert crcitt_hex([]) == "0000"
