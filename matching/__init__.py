"""The scoring core: pure functions and array-backed indexes over concept ids (no I/O)."""
