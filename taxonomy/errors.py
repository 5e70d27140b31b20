"""Errors the taxonomy package raises; each message is one line a user can act on."""


class TaxonomyError(Exception):
    """A taxonomy file or state that cannot be used."""


class EscoFormatError(TaxonomyError):
    """An ESCO package that is wrong, truncated or corrupt."""
