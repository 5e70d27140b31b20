"""Outgoing e-mail behind one small interface; the default backend writes .eml files under TOM_HOME/mail."""

from __future__ import annotations

import smtplib
import ssl
import sys
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from api.settings import Settings

SENDER = "Talent op Maat <noreply@talentopmaat.invalid>"


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str, lang: str | None = None) -> None: ...


def _message(to: str, subject: str, body: str, sender: str = SENDER, lang: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Date"], msg["Message-ID"] = formatdate(localtime=False), make_msgid(domain="talentopmaat.invalid")
    msg.set_content(body)
    if lang:  # after set_content, which drops every Content-* header
        msg["Content-Language"] = lang
    return msg


class FileMailer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, to: str, subject: str, body: str, lang: str | None = None) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f".{uuid.uuid4().hex}.tmp"
        tmp.write_bytes(bytes(_message(to, subject, body, lang=lang)))
        tmp.rename(self.folder / f"{uuid.uuid4().hex}.eml")


class ConsoleMailer:
    def send(self, to: str, subject: str, body: str, lang: str | None = None) -> None:
        print(_message(to, subject, body, lang=lang), file=sys.stderr, flush=True)


class SmtpMailer:
    """One connection per message: mails are few (a proposal, an answer, a daily alert run)."""

    def __init__(self, host: str, port: int, user: str | None, password: str | None, starttls: bool, sender: str,
                 timeout: float = 30.0) -> None:
        self.host, self.port, self.user, self.password = host, port, user, password
        self.starttls, self.sender, self.timeout = starttls, sender, timeout

    def send(self, to: str, subject: str, body: str, lang: str | None = None) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(_message(to, subject, body, self.sender, lang))


def make_mailer(backend: str, home: Path, settings: Settings | None = None) -> Mailer:
    if backend == "console":
        return ConsoleMailer()
    if backend == "file":
        return FileMailer(home / "mail")
    if backend == "smtp":
        if settings is None or not settings.smtp_host:
            raise ValueError("TOM_MAIL_BACKEND=smtp needs TOM_SMTP_HOST")
        return SmtpMailer(settings.smtp_host, settings.smtp_port, settings.smtp_user, settings.smtp_password,
                          settings.smtp_starttls, settings.smtp_from or SENDER)
    raise ValueError(f"TOM_MAIL_BACKEND must be 'file', 'console' or 'smtp', not {backend!r}")
