"""A real SMTP server for tests (aiosmtpd), keeping what it received."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port nobody listens on (for "server unreachable", or a server to start)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class _Handler:
    refused: set[str] = field(default_factory=set)
    delay_s: float = 0.0
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on 127.0.0.1:``port``; ``credentials`` turns on (plain) AUTH."""

    def __init__(
        self, port: int | None = None, *, credentials: tuple[str, str] | None = None
    ) -> None:
        self.port = port or free_port()
        self.handler = _Handler()
        self.credentials = credentials
        kwargs: dict[str, Any] = {}
        if credentials is not None:
            kwargs = {
                "authenticator": self._authenticate,
                "auth_require_tls": False,  # plain AUTH allowed: no TLS in tests
            }
        self.controller = Controller(self.handler, hostname=HOST, port=self.port, **kwargs)

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert self.credentials is not None
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = self.credentials
        ok = auth_data.login == login.encode() and auth_data.password == password.encode()
        return AuthResult(success=ok, handled=False)

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def refuse(self, address: str) -> None:
        self.handler.refused.add(address)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


@contextmanager
def smtp_server(
    port: int | None = None, *, credentials: tuple[str, str] | None = None
) -> Iterator[SmtpServer]:
    server = SmtpServer(port, credentials=credentials).start()
    try:
        yield server
    finally:
        server.stop()
