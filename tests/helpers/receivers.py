"""Real receivers on loopback for the delivery channels: an HTTP server and an SMTP server.

`http_receiver(answer)` serves on 127.0.0.1 at a free port, records every request and
answers it with `answer(n)` (n: the request's number, from 1), so a test can script a
receiver that fails its first requests, hangs, or refuses. `smtp_receiver(...)` is an
aiosmtpd server in its own thread that keeps every message it is handed.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SmtpServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

Answer = Callable[[int], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = 0.0  # Unix time the request came in


@dataclass
class HttpReceiver:
    url: str
    requests: list[Request] = field(default_factory=list)
    released: asyncio.Event = field(default_factory=asyncio.Event)  # ends hanging answers


def status(code: int, headers: dict[str, str] | None = None) -> Answer:
    async def answer(_: int) -> web.StreamResponse:
        return web.Response(status=code, headers=headers)

    return answer


def fail_first(failures: int, code: int = 503, headers: dict[str, str] | None = None) -> Answer:
    """`code` for the first `failures` requests, then 200."""

    async def answer(number: int) -> web.StreamResponse:
        return web.Response(status=code if number <= failures else 200, headers=headers)

    return answer


def one_at_a_time(seconds: float) -> Answer:
    """200 after `seconds`, one request at a time: a receiver that takes its time."""
    lock = asyncio.Lock()

    async def answer(_: int) -> web.StreamResponse:
        async with lock:
            await asyncio.sleep(seconds)
        return web.Response(status=200)

    return answer


@asynccontextmanager
async def http_receiver(answer: Answer | None = None, *, hang: bool = False) -> AsyncIterator[HttpReceiver]:
    """A recording HTTP server; `hang`: it answers nothing until the test ends."""
    answer = answer or status(200)
    receiver = HttpReceiver(url="")

    async def handle(request: web.Request) -> web.StreamResponse:
        receiver.requests.append(
            Request(request.method, request.path_qs, dict(request.headers), await request.read(), time.time())
        )
        if hang:
            await receiver.released.wait()
        return await answer(len(receiver.requests))

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    receiver.url = f"http://{host}:{port}"
    try:
        yield receiver
    finally:
        receiver.released.set()
        await runner.cleanup()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


def self_signed_certificate(folder: Path) -> Certificate:
    """A certificate for 127.0.0.1 and localhost, made with openssl for this test run."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("the SMTP TLS tests need openssl on PATH to make a certificate: apt-get install openssl")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return Certificate(cert, key)


@dataclass
class SmtpReceiver:
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    received_at: list[float] = field(default_factory=list)  # Unix time of each message
    envelopes: list[Envelope] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    # aiosmtpd calls its handler's methods by these names.
    async def handle_DATA(self, server: SmtpServer, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        self.envelopes.append(envelope)
        self.received_at.append(time.time())
        self.messages.append(email.message_from_bytes(raw, _class=EmailMessage, policy=email.policy.default))
        return "250 OK"

    def authenticate(
        self, server: SmtpServer, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


@contextmanager
def smtp_receiver(
    *, starttls: ssl.SSLContext | None = None, implicit_tls: ssl.SSLContext | None = None
) -> Iterator[SmtpReceiver]:
    """An SMTP server on 127.0.0.1: plain, with STARTTLS (and then AUTH), or TLS from the start."""
    receiver = SmtpReceiver(port=free_port())
    controller = Controller(
        receiver,
        hostname="127.0.0.1",
        port=receiver.port,
        tls_context=starttls,
        require_starttls=starttls is not None,
        ssl_context=implicit_tls,
        authenticator=receiver.authenticate,
        auth_require_tls=True,
    )
    controller.start()
    try:
        yield receiver
    finally:
        controller.stop()
