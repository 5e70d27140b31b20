"""Numbers, money and names as people read them, in Dutch or English (babel): one formatter for pages and mails."""

from __future__ import annotations

from typing import Any

from babel.numbers import format_currency, format_decimal

LOCALES = {"nl": "nl_NL", "en": "en_GB"}
PERIODS = {"nl": {"HOUR": "per uur", "DAY": "per dag", "WEEK": "per week", "MONTH": "per maand", "YEAR": "per jaar"},
           "en": {"HOUR": "per hour", "DAY": "per day", "WEEK": "per week", "MONTH": "per month", "YEAR": "per year"}}
SECTOR_NAMES = {"nl": {"techniek": "Techniek", "horeca": "Horeca", "zorg": "Zorg"},
                "en": {"techniek": "Technical trades", "horeca": "Hospitality", "zorg": "Care"}}


def _locale(lang: str) -> str:
    return LOCALES.get(lang, LOCALES["nl"])


def money(amount: float, currency: str | None, lang: str) -> str:
    """'€ 2.600' (nl) / '€2,600' (en); cents only when there are any: '€ 14,50'."""
    whole = float(amount).is_integer()
    pattern = ("¤ #,##0" if lang != "en" else "¤#,##0") + ("" if whole else ".00")
    return format_currency(amount, currency or "EUR", format=pattern, locale=_locale(lang), currency_digits=False)


def salary(v: Any, lang: str) -> str | None:
    """A vacancy's salary: '€ 2.600 – € 3.100 per maand', or None when it names none."""
    lo, hi = v.salary_min, v.salary_max
    if lo is None and hi is None:
        return None
    lo, hi = lo if lo is not None else hi, hi if hi is not None else lo
    text = money(lo, v.salary_currency, lang)
    if hi != lo:
        text += " – " + money(hi, v.salary_currency, lang)
    period = PERIODS.get(lang, PERIODS["nl"]).get(v.salary_period or "")
    return f"{text} {period}" if period else text


def km(distance: float, lang: str) -> str:
    """'3,4 km' (nl) / '3.4 km' (en)."""
    return f"{format_decimal(distance, format='#,##0.0', locale=_locale(lang))} km"


def sector_name(sector: str | None, lang: str) -> str:
    """The display name of a sector code: 'zorg' → 'Zorg' / 'Care'."""
    if not sector:
        return ""
    return SECTOR_NAMES.get(lang, SECTOR_NAMES["nl"]).get(sector, sector[:1].upper() + sector[1:])
