"""Generators: one contract (`Generator`), several backends, built from config by `build_generator`.

Importing this package is cheap: backends load torch, transformers or llama.cpp only when
warmed up.
"""
from __future__ import annotations

from rightsized.pipelines.generators.base import Generation, Generator, Message, Usage
from rightsized.pipelines.generators.registry import build_generator

__all__ = ["Generation", "Generator", "Message", "Usage", "build_generator"]
