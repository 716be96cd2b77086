"""Fixtures of the integration tests: a real SMTP server on loopback."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.conftest import free_port

#: The SMTP login the server accepts.
USER, SECRET = "pipeline-bot", "fake-Secret-7f3a9c"


@dataclass
class MailServer:
    port: int
    messages: list[email.message.EmailMessage] = field(default_factory=list)
    logins: list[tuple[str, bool]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        self.messages.append(email.message_from_bytes(envelope.content,
                                                      policy=email.policy.default))
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        accepted = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER
                    and auth_data.password.decode() == SECRET)
        self.logins.append((auth_data.login.decode(), accepted))
        return AuthResult(success=accepted)


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    """A real SMTP server on loopback that wants a login (no TLS on loopback)."""
    server = MailServer(free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port,
                            authenticator=server.authenticate, auth_require_tls=False)
    controller.start()
    yield server
    controller.stop()


def mailed_subjects(messages: list[email.message.EmailMessage]) -> list[str]:
    """The mails' subjects, unfolded (a long subject is folded over header lines)."""
    return sorted(" ".join(str(message["Subject"]).split()) for message in messages)
