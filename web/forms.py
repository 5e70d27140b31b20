"""One posted HTML form: read its fields, check its CSRF token, collect errors, render the page again.

Every page area used to repeat the same steps; routes now do::

    form = await PostedForm.read(request, who, lang)
    if not form.csrf_valid:
        return again(400, form.expired())
    ...
    except ServiceError as exc:
        return again(exc.status, form.refused(db, exc, "field", {409: "…", 404: "…"}))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from fastapi import Request
from sqlmodel import Session
from starlette.datastructures import FormData

from api.services.accounts import Principal
from api.services.errors import ServiceError
from web.deps import csrf_ok
from web.i18n import gettext


@dataclass
class PostedForm:
    """The fields of one POST, whether its CSRF token is right, and the page's language for messages."""

    data: FormData
    csrf_valid: bool
    lang: str
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    async def read(cls, request: Request, who: Principal | None, lang: str) -> PostedForm:
        """``who`` None: a form shown before login, checked against the double-submit cookie."""
        data = await request.form()
        return cls(data, csrf_ok(request, who, str(data.get("csrf_token") or "")), lang)

    def text(self, name: str, limit: int | None = None) -> str:
        """The field as text, stripped; cut at ``limit`` characters so a huge field cannot fill a page."""
        value = str(self.data.get(name) or "").strip()
        return value[:limit] if limit is not None else value

    def raw(self, name: str) -> str:
        """The field exactly as sent (free text keeps its leading spaces and new lines)."""
        return str(self.data.get(name) or "")

    def number(self, name: str) -> int | None:
        """A whole number ≥ 0, or None when the field is empty or not a number."""
        value = self.text(name)
        return int(value) if value.isdigit() and len(value) < 10 else None

    def values(self, name: str) -> list[str]:
        return [str(v) for v in self.data.getlist(name)]

    def fields(self, *, secret: tuple[str, ...] = ("password",)) -> dict[str, str]:
        """Every field as text, to fill the form again; fields whose name holds a ``secret`` word stay out."""
        return {k: str(v) for k, v in self.data.items() if not any(s in k for s in secret)}

    def error(self, name: str, message: str) -> None:
        """Add a (translated) message for a field, keeping the first one per field."""
        self.errors.setdefault(name, message)

    def expired(self, name: str = "form") -> dict[str, str]:
        """The message for a missing or wrong CSRF token: nothing was saved, the page is shown again."""
        return {name: gettext(self.lang, "De pagina was verlopen. Probeer het nog een keer.")}

    def refused(self, db: Session, exc: ServiceError, name: str, messages: Mapping[int, str],
                default: str | None = None) -> dict[str, str]:
        """A service said no: undo the transaction and say why, by HTTP status (messages already translated;
        messages are passed in by the caller so scripts/i18n-check.py sees each gettext call)."""
        db.rollback()
        fallback = gettext(self.lang, "Dat lukte niet. Kijk je gegevens na en probeer het nog een keer.")
        return {name: messages.get(exc.status, default or fallback)}
