"""Speed of `tom vacancies import` on generated JobPosting feeds (target: 100,000 postings in under 5 minutes).

Postings are generated from the 141 open demo vacancies (data/demo): every posting gets its own
identifier, employer, place (from the built-in places table) and hours. Two kinds of feed:

* ``structured``: skills as DefinedTerms (what our own export and well-kept job boards publish);
* ``text``: no skills field, so every skill comes from extraction on the description. Each
  description mixes the lines of three random demo ads and starts with a sentence of its own, so
  extraction meets both repeated boilerplate (as real feeds do) and unseen text.

Each run imports into a fresh SQLite database with the built-in taxonomy, then imports the same
file again (the idempotent path: nothing changes). Besides the wall-clock time it reports the CPU
seconds of the first import (this process + its parsing workers) and the load average: on a shared
machine the wall-clock time depends on what else runs, the CPU time much less.

    python benchmarks/import_speed.py [--n 100000] [--kinds structured,text] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel import Session  # noqa: E402

from api.db import upgrade  # noqa: E402
from api.services import feeds  # noqa: E402
from api.services.hub import Hub  # noqa: E402
from api.settings import Settings  # noqa: E402

INTRO = ["{org} in {place} zoekt een {title}.", "Kom jij ons team in {place} versterken als {title}?",
         "Voor onze vestiging in {place} zijn we op zoek naar een {title}.",
         "{org} groeit en zoekt daarom in {place} een enthousiaste {title}."]


def templates() -> list[dict[str, Any]]:
    out = []
    for f in sorted((ROOT / "data" / "demo" / "vacancies").glob("*.jsonld")):
        out += [p for p in json.loads(f.read_text()) if p.get("validThrough", "9") >= "2027"]
    return out


def generate(n: int, kind: str, path: Path, seed: int = 7) -> None:
    rnd = random.Random(seed)
    base = templates()
    with (ROOT / "data" / "geo" / "places.toml").open("rb") as fh:
        places = [p for p in tomllib.load(fh)["place"] if p.get("postcodes")]
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            t = dict(rnd.choice(base))
            place = rnd.choice(places)
            pc = place["postcodes"][0].split("-")[0]
            org = f"{t['hiringOrganization']['name']} {i % 5000}"
            t["identifier"] = {"@type": "PropertyValue", "value": f"gen-{kind}-{i}"}
            t["hiringOrganization"] = {"@type": "Organization", "name": org}
            t["jobLocation"] = {"@type": "Place", "address": {"@type": "PostalAddress", "postalCode": f"{pc} AB",
                                                              "addressLocality": place["name"]}}
            lo = rnd.choice([8, 16, 24, 32])
            t["workHours"] = f"{lo}-{min(40, lo + rnd.choice([0, 8, 16]))} uur per week"
            if kind == "text":
                lines = []
                for other in rnd.sample(base, 3):
                    lines += [ln for ln in feeds.jobposting.html_to_text(other["description"]).splitlines()
                              if ln.startswith("- ")][:4]
                intro = rnd.choice(INTRO).format(org=org, place=place["name"], title=t["title"].lower())
                t["description"] = f"<p>{intro}</p><h3>Wat vragen we?</h3><ul>" + "".join(
                    f"<li>{ln[2:]}</li>" for ln in lines) + "</ul>"
                t.pop("skills", None)
                t.pop("tom:optionalSkills", None)
            out.write(json.dumps(t, ensure_ascii=False) + "\n")


def run(n: int, kind: str, workers: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        feed = home / f"{kind}.jsonl"
        generate(n, kind, feed)
        settings = Settings(TOM_HOME=home)  # type: ignore[call-arg]
        upgrade(settings.db_url)
        hub = Hub(settings)
        hub.taxonomy.index("skill")  # build the search caches outside the timing (done once per install)
        hub.taxonomy.index("occupation")
        with Session(hub.engine) as db:
            cpu0 = _cpu()
            t0 = time.perf_counter()
            first = feeds.import_files(hub, db, [feed], workers=workers)
            t1 = time.perf_counter()
            cpu1 = _cpu()
            load = os.getloadavg()[0]
            again = feeds.import_files(hub, db, [feed], workers=workers)
            t2 = time.perf_counter()
        hub.engine.dispose()
        # Start-up of another app process on this database: the matching index built from the tables.
        fresh = Hub(settings)
        _ = fresh.matching.space
        with Session(fresh.engine) as db:
            t3 = time.perf_counter()
            n_indexed = len(fresh.indexes.ensure(db).vacancies)
            t4 = time.perf_counter()
        fresh.engine.dispose()
    return {"kind": kind, "n": n, "first_s": round(t1 - t0, 1), "per_s": round(n / (t1 - t0)),
            "again_s": round(t2 - t1, 1), "first": first.summary(), "again": again.summary(),
            "index_s": round(t4 - t3, 1), "indexed": n_indexed, "cpu_main": round(cpu1[0] - cpu0[0], 1),
            "cpu_workers": round(cpu1[1] - cpu0[1], 1), "load": round(load, 1)}


def _cpu() -> tuple[float, float]:
    """CPU seconds (user + system) of this process and of its finished child processes (the workers)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--kinds", default="structured,text")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    print("| feed | postings | first import s | postings/s | CPU s main + workers | load | re-import s "
          "| index from DB s | first | re-import |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for kind in args.kinds.split(","):
        r = run(args.n, kind, args.workers)
        print(f"| {r['kind']} | {r['n']:,} | {r['first_s']} | {r['per_s']} | {r['cpu_main']} + {r['cpu_workers']} | "
              f"{r['load']} | {r['again_s']} | {r['index_s']} | `{r['first']}` | `{r['again']}` |", flush=True)


if __name__ == "__main__":
    main()
