"""Geocoding Dutch postcodes and place names: imported PC4 areas first, then the built-in places table."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from api.models import Postcode
from api.services.errors import BadInput
from taxonomy.text import fold

POSTCODE = re.compile(r"^\s*(\d{4})\s*([A-Za-z]{2})?\s*$")


@dataclass(frozen=True)
class Place:
    name: str
    municipality: str | None
    lat: float
    lon: float


def normalise_postcode(text: str | None) -> str | None:
    """'2311 cs' -> '2311 CS'; a bare PC4 stays four digits; anything else is a clear error."""
    if text is None or not text.strip():
        return None
    m = POSTCODE.match(text)
    if not m or m.group(1).startswith("0"):
        raise BadInput(f"{text!r} is not a Dutch postcode (like 2311 CS)")
    return m.group(1) + (f" {m.group(2).upper()}" if m.group(2) else "")


class Gazetteer:
    def __init__(self, places_file: Path) -> None:
        self.by_pc4: dict[str, Place] = {}
        self.by_name: dict[str, Place] = {}
        if places_file.exists():
            with places_file.open("rb") as fh:
                rows = tomllib.load(fh).get("place", [])
            for r in rows:
                p = Place(r["name"], r.get("municipality"), float(r["lat"]), float(r["lon"]))
                self.by_name[fold(p.name)] = p
                for rng in r.get("postcodes", []):
                    lo, _, hi = str(rng).partition("-")
                    for n in range(int(lo), int(hi or lo) + 1):
                        self.by_pc4.setdefault(f"{n:04d}", p)

    def locate(self, db: Session | None, postcode: str | None, place: str | None) -> Place | None:
        pc = normalise_postcode(postcode)
        if pc:
            row = db.get(Postcode, pc[:4]) if db is not None else None
            if row is not None:
                return Place(row.place, row.municipality, row.lat, row.lon)
            if pc[:4] in self.by_pc4:
                return self.by_pc4[pc[:4]]
        if place and place.strip():
            return self.by_name.get(fold(place.strip()))
        return None
