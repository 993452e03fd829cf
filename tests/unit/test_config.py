from __future__ import annotations

import os
from pathlib import Path

import pytest

from rightsized.pipelines.config import (
    MAX_CONFIG_BYTES, LlamaCppGeneratorConfig, OpenAICompatibleGeneratorConfig, load_settings, parse_override,
)
from rightsized.pipelines.errors import ConfigError


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


# --- precedence: --set > --config > environment > shipped defaults ---------------------------

STORE_SETS = ["store.uri=http://milvus.internal:19530", "store.backend=milvus"]


@pytest.mark.parametrize("sets", [STORE_SETS, STORE_SETS[::-1]], ids=["uri-first", "backend-first"])
def test_set_order_does_not_drop_fields_of_a_backend_switch(sets: list[str]) -> None:
    store = load_settings(overrides=sets).store
    assert store.backend == "milvus" and store.uri == "http://milvus.internal:19530"


def test_set_switching_backend_keeps_fields_from_the_config_file(tmp_path: Path) -> None:
    # The file names no backend, so its `uri` is meant for whichever backend ends up chosen.
    user = tmp_path / "mine.yaml"
    user.write_text("store:\n  uri: http://milvus.internal:19530\n")
    store = load_settings(user, ["store.backend=milvus"]).store
    assert store.backend == "milvus" and store.uri == "http://milvus.internal:19530"


def test_set_switching_backend_drops_the_config_files_fields_for_the_old_one(tmp_path: Path) -> None:
    user = tmp_path / "mine.yaml"
    user.write_text("store:\n  backend: milvus\n  uri: http://milvus.internal:19530\n")
    settings = load_settings(user, ["store.backend=milvus_lite"])
    assert settings.store.backend == "milvus_lite"  # no "uri is not a milvus_lite field" error


def test_data_dir_precedence_set_then_config_then_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("RIGHTSIZED_DATA_DIR", str(tmp_path / "env"))
    user = tmp_path / "mine.yaml"
    user.write_text(f"data_dir: {tmp_path / 'file'}\n")
    assert load_settings().resolved_data_dir == tmp_path / "env"
    assert load_settings(user).resolved_data_dir == tmp_path / "file"
    assert load_settings(user, [f"data_dir={tmp_path / 'set'}"]).resolved_data_dir == tmp_path / "set"
    monkeypatch.delenv("RIGHTSIZED_DATA_DIR")
    assert load_settings().data_dir == Path("~/.rightsized")


def test_env_url_beats_the_shipped_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RIGHTSIZED_LARGE_URL", "http://gateway.internal/v1")
    large = load_settings().tier("large").generator
    assert isinstance(large, OpenAICompatibleGeneratorConfig)
    assert large.resolved_base_url() == "http://gateway.internal/v1"


def test_explicit_base_url_beats_the_env_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RIGHTSIZED_LARGE_URL", "http://gateway.internal/v1")
    monkeypatch.setenv("RIGHTSIZED_MID_URL", "http://127.0.0.1:8000/v1")
    user = tmp_path / "mine.yaml"
    user.write_text("tiers:\n  large:\n    generator:\n      base_url: http://file.internal/v1\n")
    from_file = load_settings(user).tiers
    from_set = load_settings(overrides=["tiers.mid.generator.base_url=http://set.internal/v1"]).tiers
    assert from_file["large"].generator.resolved_base_url() == "http://file.internal/v1"
    assert from_set["mid"].generator.resolved_base_url() == "http://set.internal/v1"


def test_env_url_follows_a_base_url_env_named_by_the_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_SMALL_URL", "http://127.0.0.1:7/v1")
    sets = ["tiers.small.generator.base_url_env=MY_SMALL_URL",
            "tiers.small.generator.backend=openai_compatible"]
    small = load_settings(overrides=sets).tier("small").generator
    assert isinstance(small, OpenAICompatibleGeneratorConfig)
    assert small.base_url == "http://127.0.0.1:7/v1"


def test_config_built_in_code_resolves_its_url_from_the_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_LLM_URL", "http://127.0.0.1:5/v1")
    bare = OpenAICompatibleGeneratorConfig(base_url_env="TEST_LLM_URL")
    explicit = OpenAICompatibleGeneratorConfig(
        base_url="http://127.0.0.1:6/v1", base_url_env="TEST_LLM_URL"
    )
    assert bare.resolved_base_url() == "http://127.0.0.1:5/v1"
    assert explicit.resolved_base_url() == "http://127.0.0.1:6/v1"


def test_a_bad_field_after_a_backend_switch_is_blamed_on_its_set_item() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(overrides=["store.timeout_s=-1", "store.backend=milvus"])
    assert "--set store.timeout_s=-1: store.timeout_s" in str(info.value)


def test_set_with_a_value_that_is_not_yaml_names_the_item() -> None:
    with pytest.raises(ConfigError) as info:
        parse_override("a=[unclosed")
    message = str(info.value)
    assert message.startswith("--set 'a=[unclosed': the value is not valid YAML (")
    assert "\n" not in message and "quote it" in message


@pytest.mark.parametrize("kind", ["directory", "device", "fifo", "binary", "oversized"])
def test_a_config_that_is_not_a_small_text_file_is_refused_before_reading(tmp_path: Path, kind: str) -> None:
    """A directory raised IsADirectoryError, a binary file UnicodeDecodeError, and /dev/zero was
    read until the machine ran out of memory: only a regular UTF-8 file up to 1 MiB is read.
    (/dev/null stands in for /dev/zero here: reading it cannot hang a test run that regressed.)"""
    path = tmp_path / "tiers.yaml"
    if kind == "directory":
        path.mkdir()
    elif kind == "device":
        path = Path("/dev/null")
    elif kind == "fifo":
        os.mkfifo(path)  # reading it before the check would block until a writer appears
    elif kind == "binary":
        path.write_bytes(b"default_tier: \xff\xfe\x00baseline\n")
    else:
        path.write_text("#" * MAX_CONFIG_BYTES + "\ndefault_tier: baseline\n")
    expected = {"directory": "a directory", "device": "not a regular file", "fifo": "not a regular file",
                "binary": "not a UTF-8 text file", "oversized": "larger than 1024 KiB"}[kind]
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(info.value).startswith(f"{path}: {expected}")
