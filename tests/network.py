"""A guard for "no network at build or test time": connections beyond the loopback and
name lookups fail and are recorded, so a library that swallows the error is still caught."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from unittest import mock

LOOPBACK = ("127.0.0.1", "::1", "localhost")


@contextlib.contextmanager
def recorded_network_attempts() -> Iterator[list[object]]:
    """Refuse and record every non-loopback connection and every name lookup."""
    attempts: list[object] = []
    real_connect = socket.socket.connect

    def guarded_connect(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else str(address)
        if self.family != socket.AF_UNIX and host not in LOOPBACK:
            attempts.append(address)
            raise OSError(f"network access attempted: {address}")
        return real_connect(self, address)

    def guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        attempts.append(host)
        raise OSError(f"name lookup attempted: {host}")

    with (
        mock.patch.object(socket.socket, "connect", guarded_connect),
        mock.patch.object(socket, "getaddrinfo", guarded_getaddrinfo),
    ):
        yield attempts
