"""The operation engine: runs scheduled operations when their triggers fire."""
