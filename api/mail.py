"""Outgoing e-mail behind one small interface; the default backend writes .eml files under TOM_HOME/mail."""

from __future__ import annotations

import sys
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

SENDER = "Talent op Maat <noreply@talentopmaat.invalid>"


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> None: ...


def _message(to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = SENDER, to, subject
    msg.set_content(body)
    return msg


class FileMailer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, to: str, subject: str, body: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f".{uuid.uuid4().hex}.tmp"
        tmp.write_bytes(bytes(_message(to, subject, body)))
        tmp.rename(self.folder / f"{uuid.uuid4().hex}.eml")


class ConsoleMailer:
    def send(self, to: str, subject: str, body: str) -> None:
        print(_message(to, subject, body), file=sys.stderr, flush=True)


def make_mailer(backend: str, home: Path) -> Mailer:
    if backend == "console":
        return ConsoleMailer()
    if backend == "file":
        return FileMailer(home / "mail")
    raise ValueError(f"TOM_MAIL_BACKEND must be 'file' or 'console', not {backend!r}")
