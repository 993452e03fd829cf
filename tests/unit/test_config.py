from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.config import (
    LlamaCppGeneratorConfig, OpenAICompatibleGeneratorConfig, load_settings, parse_override,
)
from pipelines.errors import ConfigError


def test_shipped_tiers_load_with_the_four_tiers() -> None:
    settings = load_settings()
    assert list(settings.tiers) == ["baseline", "small", "mid", "large"]
    assert settings.tier("baseline").generator.backend == "extractive"
    assert isinstance(settings.tier("small").generator, LlamaCppGeneratorConfig)
    large = settings.tier("large").generator
    assert isinstance(large, OpenAICompatibleGeneratorConfig)
    assert large.api_key_required and large.api_key_env == "OPENAI_API_KEY"
    assert settings.tier("large").external is True


def test_set_overrides_parse_yaml_values() -> None:
    settings = load_settings(overrides=["tiers.small.max_tokens=64", "tiers.mid.retrieval.mode=dense"])
    assert settings.tier("small").max_tokens == 64
    assert settings.tier("mid").retrieval.mode == "dense"
    assert parse_override("a.b=[1, 2]") == {"a": {"b": [1, 2]}}


def test_user_file_merges_and_switching_backend_replaces_the_block(tmp_path: Path) -> None:
    user = tmp_path / "mine.yaml"
    user.write_text("tiers:\n  small:\n    generator:\n      backend: openai_compatible\n      base_url: http://127.0.0.1:9/v1\n")
    settings = load_settings(user)
    generator = settings.tier("small").generator
    assert isinstance(generator, OpenAICompatibleGeneratorConfig)
    assert generator.base_url == "http://127.0.0.1:9/v1"
    assert settings.tier("small").description.startswith("Gemma")  # the rest of the tier kept


def test_validation_error_names_the_file_and_the_field(tmp_path: Path) -> None:
    user = tmp_path / "bad.yaml"
    user.write_text("tiers:\n  small:\n    generator:\n      backend: llamacpp\n      n_ctx: tiny\n")
    with pytest.raises(ConfigError) as info:
        load_settings(user)
    assert str(user) in str(info.value)
    assert "tiers.small.generator.n_ctx" in str(info.value)


def test_typo_in_a_field_name_is_rejected_with_the_override_named() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(overrides=["tiers.small.max_tokenz=5"])
    assert "--set tiers.small.max_tokenz=5" in str(info.value)
    assert "max_tokenz" in str(info.value)


def test_unknown_backend_and_unknown_tier_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="generator"):
        load_settings(overrides=["tiers.small.generator.backend=gpt"])
    with pytest.raises(ConfigError, match="unknown tier 'huge'"):
        load_settings().tier("huge")
    broken = tmp_path / "broken.yaml"
    broken.write_text("tiers: [unclosed")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(broken)
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "missing.yaml")
    with pytest.raises(ConfigError, match="expected path=value"):
        parse_override("no-equals-sign")


def test_base_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RIGHTSIZED_MID_URL", "http://127.0.0.1:8000/v1")
    generator = load_settings().tier("mid").generator
    assert isinstance(generator, OpenAICompatibleGeneratorConfig)
    assert generator.resolved_base_url() == "http://127.0.0.1:8000/v1"


def test_data_dir_env_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RIGHTSIZED_DATA_DIR", str(tmp_path))
    settings = load_settings()
    assert settings.resolved_data_dir == tmp_path
    assert settings.store_path == tmp_path / "milvus.db"
