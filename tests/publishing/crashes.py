"""A publisher that dies mid-send, for the exactly-once tests of every reply channel."""
from __future__ import annotations

from connectors import get_connector


class Crash(BaseException):
    """The publisher process dying: not an error it could catch and record."""


def crashing(when: str):
    """A connector factory whose connectors die before or after posting (the real reply, then the crash)."""
    def connector_for(type_name):
        real = get_connector(type_name)

        class Dying:
            find_own_reply = staticmethod(real.find_own_reply)

            @staticmethod
            def reply(*args):
                if when == "before send":
                    raise Crash
                real.reply(*args)
                raise Crash  # posted, but never marked
        return Dying()
    return connector_for
