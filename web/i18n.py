"""Translations: the templates' messages are Dutch (B1); English comes from gettext catalogues.

Every ``web/locale/<lang>/LC_MESSAGES/*.po`` file is compiled in memory at start-up and merged,
so each page area keeps its own catalogue and no compiled files live in the repository.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("nl", "en")


@lru_cache
def translations(lang: str) -> NullTranslations:
    if lang == "nl":
        return NullTranslations()  # the messages are written in Dutch
    merged: Translations | None = None
    for po in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        tr = Translations(buf)
        merged = tr if merged is None else merged.merge(tr)
    return merged or NullTranslations()


def gettext(lang: str, message: str) -> str:
    return translations(lang).gettext(message)
