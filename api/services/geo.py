"""Geocoding Dutch postcodes and place names: imported PC4 areas first, then the built-in places table."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from api.models import Postcode
from api.services.errors import BadInput
from api.services.files import read_utf8
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


class GeoFileError(ValueError):
    """A postcode file that cannot be used; the message names the file and line."""


def read_geonames(path: Path) -> list[Postcode]:
    """GeoNames postal-code rows (tab-separated: country, postal code, place, admin1 name, admin1 code,
    admin2 name, admin2 code, admin3 name, admin3 code, latitude, longitude, accuracy) for Dutch PC4s.
    The first row of a PC4 wins when several places share it."""
    text = read_utf8(path, GeoFileError)
    out: dict[str, Postcode] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        cols = line.split("\t")
        if len(cols) < 11:
            raise GeoFileError(f"{path}:{n}: expected the GeoNames postal-code format (12 tab-separated columns)")
        country, pc, place, admin2 = cols[0].strip(), cols[1].strip(), cols[2].strip(), cols[5].strip()
        if country != "NL":
            continue
        m = re.fullmatch(r"(\d{4})(\s?[A-Za-z]{2})?", pc)
        try:
            lat, lon = float(cols[9]), float(cols[10])
        except ValueError:
            raise GeoFileError(f"{path}:{n}: latitude/longitude are not numbers") from None
        if not m or not place or not (50.5 <= lat <= 53.8 and 3.2 <= lon <= 7.3):
            raise GeoFileError(f"{path}:{n}: not a Dutch postcode row ({pc!r}, {lat}, {lon})")
        municipality = re.sub(r"\s+Municipality$", "", admin2) or None
        out.setdefault(m.group(1), Postcode(pc4=m.group(1), place=place, municipality=municipality, lat=lat, lon=lon))
    if not out:
        raise GeoFileError(f"{path}: no Dutch postcodes found")
    return list(out.values())


def import_postcodes(db: Session, path: Path) -> int:
    """Replace the PC4 table with the file's rows, in one transaction (a bad file changes nothing)."""
    from sqlmodel import delete

    rows = read_geonames(path)
    db.exec(delete(Postcode))
    db.add_all(rows)
    db.commit()
    return len(rows)
