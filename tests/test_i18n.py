"""Dutch first, English by switch: every message of the web layer has an English translation."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from web.i18n import translations

ROOT = Path(__file__).resolve().parents[1]


def _check_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("i18n_check", ROOT / "scripts" / "i18n-check.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_every_web_message_has_an_english_translation() -> None:
    messages = _check_module().messages()
    catalog = getattr(translations("en"), "_catalog", {})
    missing = sorted(f"{where}: {msg}" for msg, where in messages.items() if msg not in catalog)
    assert len(messages) > 80
    assert not missing, "no English for:\n" + "\n".join(missing[:30])


def test_placeholders_survive_translation() -> None:
    import re

    catalog = getattr(translations("en"), "_catalog", {})
    for msgid, msgstr in catalog.items():
        if isinstance(msgid, str) and msgid:
            assert set(re.findall(r"%\(\w+\)s", msgid)) == set(re.findall(r"%\(\w+\)s", str(msgstr))), msgid
