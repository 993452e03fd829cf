"""Build the generator a tier config asks for.

Why a function with lazy imports: `rightsized tiers` lists every tier and its availability, so
importing this module (and building a generator) must not pull in torch, transformers or
llama.cpp; each backend imports those only in `warm_up()`.
"""
from __future__ import annotations

from rightsized.pipelines.config import (
    ExtractiveGeneratorConfig,
    LlamaCppGeneratorConfig,
    OpenAICompatibleGeneratorConfig,
    TransformersGeneratorConfig,
)
from rightsized.pipelines.errors import ConfigError
from rightsized.pipelines.generators.base import Generator

AnyGeneratorConfig = (
    ExtractiveGeneratorConfig
    | LlamaCppGeneratorConfig
    | TransformersGeneratorConfig
    | OpenAICompatibleGeneratorConfig
)


def build_generator(config: AnyGeneratorConfig) -> Generator:
    """Return an un-warmed generator for `config` (call `unavailable_reason()` before use).

    Example:
        gen = build_generator(settings.tier("small").generator)
        if (reason := gen.unavailable_reason()) is None:
            gen.warm_up()
    """
    match config.backend:
        case "llamacpp":
            from rightsized.pipelines.generators.llamacpp import LlamaCppGenerator

            return LlamaCppGenerator(config)
        case "transformers":
            from rightsized.pipelines.generators.transformers_local import TransformersGenerator

            return TransformersGenerator(config)
        case "openai_compatible":
            from rightsized.pipelines.generators.openai_compatible import OpenAICompatibleGenerator

            return OpenAICompatibleGenerator(config)
        case "extractive":
            from rightsized.pipelines.generators.extractive import ExtractiveGenerator

            return ExtractiveGenerator(config)
    raise ConfigError(f"unknown generator backend {config.backend!r}")
