"""The application layer: the CLI, library operations behind it (ops) and renderings (views).

It parses, calls the layers below and renders typed results; nothing domain-specific lives here.
"""
from __future__ import annotations
