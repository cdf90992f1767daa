"""Loaded by every Python process the test suite starts (notebook kernels included):
refuse network connections that leave this machine, so no test can touch the network."""

import ipaddress
import socket

_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def _local(address):
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: would need DNS, i.e. the network
        return False


class NetworkBlocked(OSError):
    """Raised when code under test tries to reach another machine."""


def _guard(method):
    def connect(self, address):
        if not _local(address):
            raise NetworkBlocked(f"tests may not use the network (tried {address!r})")
        return method(self, address)

    return connect


socket.socket.connect = _guard(_connect)
socket.socket.connect_ex = _guard(_connect_ex)
