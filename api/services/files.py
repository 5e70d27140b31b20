"""Reading the files operators hand us, with one-line errors that name the file."""

from __future__ import annotations

from pathlib import Path


def read_utf8(path: Path, error: type[Exception]) -> str:
    """The file's text (a UTF-8 BOM is dropped); ``error("<path>: <why>")`` when it cannot be read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise error(f"{path}: {exc.strerror}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise error(f"{path}: not UTF-8 text") from None
