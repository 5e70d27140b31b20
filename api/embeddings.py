"""Embedding models for the API layer: see :mod:`taxonomy.encoders` (the one place they are loaded)."""

from __future__ import annotations

from taxonomy.encoders import DEFAULT_MODEL, EmbeddingModelError, Encoder, load_encoder, model_name

__all__ = ["DEFAULT_MODEL", "EmbeddingModelError", "Encoder", "load_encoder", "model_name"]
