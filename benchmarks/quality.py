"""Quality of the normaliser on the development sets in ../shared/bench.

Imports the official ESCO packages from ../shared/esco into a benchmark TOM_HOME (once), then
runs each set through the same service the CLI uses — with the embedding model (the default one
unless ``--model`` names another) and lexical only (``TOM_EMBEDDING_MODEL=none``) — and prints one
table with both and a character TF-IDF baseline computed in the same run.

    python benchmarks/quality.py [--home var/bench] [--model e5-small] [--only skills,titles,extract,extract_nl]
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

# ../shared beside the checkout (a git worktree one level deeper finds it one further up)
SHARED = next((d for d in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if d.exists()),
              ROOT.parent / "shared")
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


def read_extraction_nl(path: Path) -> list[tuple[str, set[str], set[str]]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        _, text, gold, essential = line.split("\t")
        rows.append((text, set(gold.split("|")), set(essential.split("|")) - {""}))
    return rows


def run_extraction_nl(rows: list[tuple[str, set[str], set[str]]], extract, base=None) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """P@5 against all the occupation's skills, recall@10 of its essential ones, and the share of
    results with score ≥ 0.6 (what the forms pre-tick) that are in the list, with their number per text."""
    p5, r10, times = [], [], []
    conf_ok = conf_n = 0
    for text, gold, essential in rows:
        t = time.perf_counter()
        res = extract(text)
        times.append(time.perf_counter() - t)
        ranked = [cid for cid, _ in res]
        p5.append(len(set(ranked[:5]) & gold) / 5)
        if essential:
            r10.append(len(set(ranked[:10]) & essential) / len(essential))
        sure = [cid for cid, score in res if score is not None and score >= 0.6]
        conf_ok += len(set(sure) & gold)
        conf_n += len(sure)
    return {"n": len(rows), "P@5": float(np.mean(p5)), "R@10 ess": float(np.mean(r10)),
            "conf prec": conf_ok / max(conf_n, 1), "conf/text": conf_n / len(rows),
            "p50 ms": 1000 * float(np.median(times))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--home", default=str(ROOT / "var" / "bench"))
    ap.add_argument("--model", default="use-multilingual", help="embedding model (name or folder)")
    ap.add_argument("--only", default="skills,titles,extract,extract_nl")
    args = ap.parse_args()
    only = set(args.only.split(","))

    svc = TaxonomyService(Settings(TOM_HOME=Path(args.home), TOM_EMBEDDING_MODEL=args.model))
    lex = TaxonomyService(Settings(TOM_HOME=Path(args.home), TOM_EMBEDDING_MODEL="none"))
    t = time.perf_counter()
    report = svc.import_esco(ESCO)
    print(f"ESCO import: {'changed' if report.changed else 'unchanged'} in {time.perf_counter() - t:.1f} s")
    tax = svc.taxonomy
    t = time.perf_counter()
    svc.index("skill"), svc.index("occupation")
    print(f"indexes ready in {time.perf_counter() - t:.1f} s; model: {args.model}")
    lex.index("skill"), lex.index("occupation")
    if svc.encoder() is None:
        print("(the model could not be loaded: both columns are lexical)")
    print()

    results: list[tuple[str, dict[str, float], dict[str, float]]] = []
    if "skills" in only:
        rows = read_tsv(BENCH / "skill_normalisation_nl" / "dev.tsv")
        base = CharTfidfBaseline(tax, "skill")
        results.append(("skill_normalisation_nl", *(run_ranking(
            "skills", rows, lambda q, s=s: [m.concept_id for m in s.suggest_skills(q, 10)], base.rank)  # type: ignore[misc]
            for s in (svc, lex))))
    if "titles" in only:
        rows = read_tsv(BENCH / "jobtitle_occupation_nl" / "dev.tsv")
        base = CharTfidfBaseline(tax, "occupation")
        results.append(("jobtitle_occupation_nl", *(run_ranking(
            "titles", rows, lambda q, s=s: [m.concept_id for m in s.suggest_occupations(q, 10)], base.rank)  # type: ignore[misc]
            for s in (svc, lex))))
    base = CharTfidfBaseline(tax, "skill") if only & {"extract", "extract_nl"} else None
    if "extract" in only and base is not None:
        for name, items in extraction_sets(svc.store.esco_layer()).items():
            both = []
            for s in (svc, lex):
                rp, mrr, brp, times = [], [], [], []
                for sentence, gold in items:
                    t = time.perf_counter()
                    ranked = [m.concept_id for m in s.extract_skills(sentence, 10, "en")]
                    times.append(time.perf_counter() - t)
                    rp.append(rp_at(ranked, gold))
                    mrr.append(mrr_at(ranked, gold, 10))
                    brp.append(rp_at(base.rank(sentence, 5), gold))
                both.append({"n": len(items), "RP@5": float(np.mean(rp)), "MRR@10": float(np.mean(mrr)),
                             "baseline RP@5": float(np.mean(brp)), "p50 ms": 1000 * float(np.median(times))})
            results.append((f"skill_extraction_en/{name}", both[0], both[1]))

    print("| set | n | metric | model | lexical only | char TF-IDF baseline | hit@1 model / lexical | "
          "p50 ms model / lexical |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r, lx in results:
        if "RP@5" in r:
            print(f"| {name} | {r['n']:.0f} | RP@5 (MRR@10 {r['MRR@10']:.3f} / {lx['MRR@10']:.3f}) | "
                  f"**{r['RP@5']:.3f}** | {lx['RP@5']:.3f} | {r['baseline RP@5']:.3f} | | "
                  f"{r['p50 ms']:.1f} / {lx['p50 ms']:.1f} |")
        else:
            print(f"| {name} | {r['n']:.0f} | MRR@10 | **{r['MRR@10']:.3f}** | {lx['MRR@10']:.3f} | "
                  f"{r['baseline MRR@10']:.3f} | {r['hit@1']:.3f} / {lx['hit@1']:.3f} | "
                  f"{r['p50 ms']:.1f} / {lx['p50 ms']:.1f} |")

    if "extract_nl" in only and base is not None:
        rows_nl = read_extraction_nl(BENCH / "skill_extraction_nl" / "dev.tsv")
        runs = [(label, run_extraction_nl(rows_nl, lambda text, s=s: [
            (m.concept_id, m.score) for m in s.extract_skills(text, 10, "nl")]))  # type: ignore[misc]
            for label, s in (("model", svc), ("lexical only", lex))]
        runs.append(("char TF-IDF (no scores)", run_extraction_nl(
            rows_nl, lambda text: [(cid, None) for cid in base.rank(text, 10)])))
        print()
        print(f"| skill_extraction_nl (n = {len(rows_nl)}) | P@5 | recall@10 essential | "
              "confident (≥ 0.6) precision | confident per text | p50 ms |")
        print("|---|---|---|---|---|---|")
        for label, r in runs:
            conf = "" if label.startswith("char") else f"{r['conf prec']:.3f}"
            per = "" if label.startswith("char") else f"{r['conf/text']:.2f}"
            print(f"| {label} | **{r['P@5']:.3f}** | {r['R@10 ess']:.3f} | {conf} | {per} | {r['p50 ms']:.1f} |")


if __name__ == "__main__":
    main()
