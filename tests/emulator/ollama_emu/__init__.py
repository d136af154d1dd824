"""The ollama emulator: a faithful stand-in for the `ollama` CLI and server (see ../README.md)."""
