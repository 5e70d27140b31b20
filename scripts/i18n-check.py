#!/usr/bin/env python3
"""List the Dutch messages of the web layer that have no English translation yet.

    python scripts/i18n-check.py [--missing]     # all msgids, or only the untranslated ones
Messages come from web/templates/**/*.html (the i18n extension's _() / gettext()) and from
gettext(lang, "...") calls in web/**/*.py.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from jinja2 import Environment
from jinja2.ext import babel_extract

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def messages() -> dict[str, str]:
    out: dict[str, str] = {}
    for f in sorted((ROOT / "web" / "templates").rglob("*.html")):
        with f.open("rb") as fh:
            for _line, _func, msg, _comments in babel_extract(fh, ["_", "gettext", "ngettext"], [],
                                                              {"extensions": "jinja2.ext.i18n"}):
                for m in msg if isinstance(msg, tuple) else (msg,):
                    if m:
                        out.setdefault(m, str(f.relative_to(ROOT)))
    for f in sorted((ROOT / "web").rglob("*.py")):
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "gettext" and len(node.args) == 2 \
                    and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
                out.setdefault(node.args[1].value, str(f.relative_to(ROOT)))
    return out


def main() -> int:
    from web.i18n import translations

    tr = translations("en")
    known = getattr(tr, "_catalog", {})
    missing = {m: f for m, f in messages().items() if m not in known}
    shown = missing if "--missing" in sys.argv else messages()
    for m, f in shown.items():
        print(f"{f}\t{m}")
    print(f"{len(missing)} of {len(messages())} messages have no English translation", file=sys.stderr)
    return 1 if missing and "--missing" in sys.argv else 0


if __name__ == "__main__":
    _ = Environment  # the extractor needs jinja2 installed; imported for a clear error if it is not
    sys.exit(main())
