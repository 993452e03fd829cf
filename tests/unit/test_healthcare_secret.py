"""The date-shift secret the domain de-identifies with is never the one in the source."""
from __future__ import annotations

import stat
from pathlib import Path

import pytest

from rightsized.domains.healthcare_notes import domain
from rightsized.domains.healthcare_notes.redactor import _DEFAULT_SECRET
from rightsized.domains.healthcare_notes.secret import shift_secret
from rightsized.domains.healthcare_notes.settings import HealthcareConfig
from rightsized.pipelines.errors import ConfigError


def test_without_the_variable_a_private_random_secret_is_made_once_and_kept(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: with $RIGHTSIZED_DEID_SECRET unset, the constant in redactor.py was used, and every
    stored date could be shifted back from the group key stored beside it."""
    monkeypatch.delenv("RIGHTSIZED_DEID_SECRET", raising=False)
    config = HealthcareConfig(ner_model=None, shift_secret_file=tmp_path / "keys" / "deid_secret")
    first = domain.redactor(config)
    assert first is not None and first.secret != _DEFAULT_SECRET  # type: ignore[attr-defined]
    path = tmp_path / "keys" / "deid_secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(path.read_bytes()) == 64
    assert shift_secret("RIGHTSIZED_DEID_SECRET", path) == first.secret  # type: ignore[attr-defined]
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_the_variable_wins_and_a_short_secret_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RIGHTSIZED_DEID_SECRET", "from-the-environment")
    assert shift_secret("RIGHTSIZED_DEID_SECRET", tmp_path / "unused") == b"from-the-environment"
    assert not (tmp_path / "unused").exists()
    monkeypatch.delenv("RIGHTSIZED_DEID_SECRET")
    (tmp_path / "short").write_text("abc")
    with pytest.raises(ConfigError, match="shorter than 32"):
        shift_secret("RIGHTSIZED_DEID_SECRET", tmp_path / "short")


def test_by_default_the_secret_is_kept_in_the_data_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RIGHTSIZED_DEID_SECRET", raising=False)
    monkeypatch.setenv("RIGHTSIZED_DATA_DIR", str(tmp_path))
    assert shift_secret("RIGHTSIZED_DEID_SECRET", None) == (tmp_path / "deid_secret").read_bytes()
