"""The one error the SIP core raises: a message (or a part of it) that cannot be parsed."""


class SipParseError(ValueError):
    """Malformed SIP input.

    where  -- what was being parsed (e.g. "first line", "Via", "uri") and, when known, the offset
    why    -- a short human reason
    status -- what a server should do: 400/413/414/505 (reply code hint) or "drop" (stay silent)
    """

    def __init__(self, where, why, status=400):
        self.where = where
        self.why = why
        self.status = status
        super().__init__(f"{where}: {why}")
