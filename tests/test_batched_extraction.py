"""Batched encoding for bulk extraction (a feed import): priming the model with many texts' new
sentences at once finds exactly what extracting them one at a time finds, and encodes nothing later.

Uses the small index with the deterministic fake encoder and the built-in taxonomy with the real
default model from tests/test_semantic.py.
"""

from __future__ import annotations

import json
import pickle

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from api.services.taxonomy import TaxonomyService
from taxonomy.encoders import Encoder
from taxonomy.normaliser import ConceptIndex
from tests.test_semantic import ROOT, VOCAB, fake_encoder, real, small

__all__ = ["real", "small"]  # the fixtures, shared with tests/test_semantic.py


# --------------------------------------------------------------------------- batched encoding (feed import)
def _twin(index: ConceptIndex, encoder: Encoder | None = None) -> ConceptIndex:
    """The same index with empty answer caches (a fresh process's view of it)."""
    twin: ConceptIndex = pickle.loads(pickle.dumps(index))
    twin.attach_encoder(encoder or index.encoder, index.sem)  # type: ignore[arg-type]
    return twin


SENTENCE = st.lists(st.sampled_from([*VOCAB, "ik", "wij", "graag", "een", "team", "met", "gasten", "bedienen",
                                     "kassa", "en", "de", "zorg", "verlenen", "xq"]), min_size=1, max_size=8)
TEXT = st.lists(SENTENCE.map(" ".join), min_size=1, max_size=4).map(lambda s: ". ".join(s) + ".")


@settings(max_examples=40, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=6))
def test_primed_extraction_finds_exactly_what_one_at_a_time_does(small: ConceptIndex, texts: list[str]) -> None:
    calls: list[int] = []

    def counting(batch: list[str]) -> np.ndarray:
        calls.append(len(batch))
        return fake_encoder(batch)

    alone = _twin(small, Encoder("fake", lambda: fake_encoder))
    expected = [alone.extract(t, 12) for t in texts]
    primed = _twin(small, Encoder("fake", lambda: counting))
    primed.prime_extract(texts, 12)
    assert len(calls) <= 1  # every new sentence of all texts in one call (fewer than a batch here)
    calls.clear()
    assert [primed.extract(t, 12) for t in texts] == expected  # same concepts, scores, labels and spans
    assert calls == []  # and nothing was encoded one at a time


def test_primed_extraction_with_the_real_model_matches_one_at_a_time(real: TaxonomyService) -> None:
    from api.services.jobposting import extraction_texts, html_to_text

    ads = [p for f in sorted((ROOT / "data" / "demo" / "vacancies").glob("*.jsonld"))
           for p in json.loads(f.read_text())][:40]
    texts = [t for ad in ads for _, t in extraction_texts(ad, html_to_text(ad.get("description") or ""))]
    index = real.index("skill")
    alone = _twin(index)
    assert isinstance(alone.encoder, Encoder)
    alone.encoder.prime([])  # nothing remembered from elsewhere
    expected = [alone.extract(t, 12) for t in texts]
    primed = _twin(index)
    primed.prime_extract(texts, 12)
    assert isinstance(primed.encoder, Encoder)
    model, calls = primed.encoder._fn, []
    primed.encoder._fn = lambda batch: calls.append(len(batch)) or model(batch)  # type: ignore[func-returns-value]
    try:
        got = [primed.extract(t, 12) for t in texts]
    finally:
        primed.encoder._fn = model
    assert calls == []
    for want, have in zip(expected, got, strict=True):
        # a text's vector in a batch differs from its vector alone by ~1e-7 (BLAS order of sums)
        assert [m.concept_id for m in have] == [m.concept_id for m in want]
        assert np.allclose([m.score for m in have], [m.score for m in want], atol=1e-5)
        assert [m.span for m in have] == [m.span for m in want]
