"""Speed of the taxonomy layer against the full imported ESCO (plus the built-in taxonomy).

* ESCO import time (a fresh TOM_HOME each run, so it is really measured),
* start-up: loading the merged taxonomy and both search indexes from the cache under TOM_HOME
  in a fresh process (what ``tom`` and the server do at start),
* per-query latency of ``suggest`` (skill phrases), ``occupations suggest`` (job titles) and
  ``extract`` (English job-ad sentences, Dutch one-paragraph texts), p50 and p95 over the dev-set
  inputs, with the embedding model (the default unless ``--model`` names another; query encoding
  included).

    python benchmarks/speed.py [--model e5-small|none]
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.services.taxonomy import TaxonomyService  # noqa: E402
from api.settings import Settings  # noqa: E402

# ../shared beside the checkout (a git worktree one level deeper finds it one further up)
SHARED = next((d for d in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if d.exists()),
              ROOT.parent / "shared")
BENCH = SHARED / "bench"
ESCO = [SHARED / "esco" / "v1.1.1", SHARED / "esco" / "v1.1.1-nl"]

STARTUP = """
import json, sys, time
t0 = time.perf_counter()
from api.services.taxonomy import TaxonomyService
from api.settings import Settings
t1 = time.perf_counter()
svc = TaxonomyService(Settings(TOM_HOME=sys.argv[1], TOM_EMBEDDING_MODEL=sys.argv[2]))
tax = svc.taxonomy
t2 = time.perf_counter()
svc.encoder()
t3 = time.perf_counter()
svc.index("skill"); svc.index("occupation")
t4 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "taxonomy": t2 - t1, "model": t3 - t2, "indexes": t4 - t3,
                  "concepts": len(tax)}))
"""


def pct(xs: list[float]) -> str:
    a = np.asarray(xs) * 1000
    return f"{np.percentile(a, 50):.2f} | {np.percentile(a, 95):.2f}"


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", default="use-multilingual")
    model = ap.parse_args().model
    with tempfile.TemporaryDirectory() as home:
        svc = TaxonomyService(Settings(TOM_HOME=Path(home), TOM_EMBEDDING_MODEL=model))
        t = time.perf_counter()
        svc.import_esco(ESCO)
        t_import = time.perf_counter() - t
        t = time.perf_counter()
        svc.index("skill"), svc.index("occupation")
        t_build = time.perf_counter() - t
        out = subprocess.run([sys.executable, "-c", STARTUP, home, model], cwd=ROOT, capture_output=True,
                             text=True, check=True)
        start = json.loads(out.stdout)

        phrases = [line.split("\t")[1] for line in (BENCH / "skill_normalisation_nl/dev.tsv").read_text().splitlines()]
        titles = [line.split("\t")[1] for line in (BENCH / "jobtitle_occupation_nl/dev.tsv").read_text().splitlines()]
        with (BENCH / "skill_extraction_en/tech_validation_annotations.csv").open() as f:
            sents = sorted({r["sentence"] for r in csv.DictReader(f)})
        paragraphs = [line.split("\t")[1] for line in
                      (BENCH / "skill_extraction_nl/dev.tsv").read_text(encoding="utf-8").splitlines()][:300]
        timings: dict[str, list[float]] = {"suggest": [], "occupations": [], "extract": [], "extract_nl": []}
        for name, fn, items in (("suggest", svc.suggest_skills, phrases),
                                ("occupations", svc.suggest_occupations, titles),
                                ("extract", svc.extract_skills, sents),
                                ("extract_nl", svc.extract_skills, paragraphs)):
            fn("opwarmen voor de meting", 10)  # warm, with a text the set lacks: answers are remembered
            for q in dict.fromkeys(items):  # each text once, so no timing is a remembered answer
                t = time.perf_counter()
                fn(q, 10)
                timings[name].append(time.perf_counter() - t)
        counts = svc.taxonomy.counts()

    print(f"taxonomy: {counts['skill']} skills, {counts['occupation']} occupations, "
          f"{counts['occupation_skill_relations']} occupation–skill relations\n")
    print("| step | seconds |")
    print("|---|---|")
    print(f"| import ESCO v1.1.1 en + nl (fresh TOM_HOME) | {t_import:.1f} |")
    print(f"| first build of both search indexes and label vectors (then cached) | {t_build:.1f} |")
    print(f"| start-up: load merged taxonomy from cache | {start['taxonomy']:.2f} |")
    print(f"| start-up: load the model ({model}) | {start['model']:.2f} |")
    print(f"| start-up: load both search indexes and label vectors from cache | {start['indexes']:.2f} |")
    print()
    print(f"| query (top 10, full ESCO, model {model}) | n | p50 ms | p95 ms |")
    print("|---|---|---|---|")
    print(f"| `taxonomy suggest` (Dutch skill phrase) | {len(phrases)} | {pct(timings['suggest'])} |")
    print(f"| `occupations suggest` (Dutch job title) | {len(titles)} | {pct(timings['occupations'])} |")
    print(f"| `taxonomy extract` (English job-ad sentence) | {len(sents)} | {pct(timings['extract'])} |")
    print(f"| `taxonomy extract` (Dutch one-paragraph text) | {len(paragraphs)} | {pct(timings['extract_nl'])} |")


if __name__ == "__main__":
    main()
