"""Helpers of scripts/gen-catalog.py: per-tensor GGUF sizes, model shapes, sources."""
