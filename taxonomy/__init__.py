"""Skills and occupations: the model, the built-in Dutch taxonomy, the ESCO importer, the normaliser."""

from taxonomy.errors import EscoFormatError, TaxonomyError
from taxonomy.model import Concept, Taxonomy
from taxonomy.normaliser import ConceptIndex, Match

__all__ = ["Concept", "ConceptIndex", "EscoFormatError", "Match", "Taxonomy", "TaxonomyError"]
