"""How a task's input is read from files and parameters, declared on its input model.

Why field markers rather than code: the CLI (`--input`, `--param`, `--request`), the eval grid and
the HTTP API (multipart uploads) all need to know which fields are files, whether those are
ingested into the vector store (documents the task retrieves from) or read by the task itself
(e.g. a sales table, which must not become one embedded chunk per row), and whether a folder may
hold several cases. The markers live in the JSON schema, so an API client sees them too::

    class RankInput(BaseModel):
        job: Path = input_file("The job description (PDF, TXT or MD).")
        resumes: Path = documents("A folder of resumes.")
        top_k: int = 10
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_origin

import yaml
from pydantic import BaseModel, Field, ValidationError

from rightsized.pipelines.errors import ConfigError

_MARK = "x-rightsized-file"
MAX_REQUEST_BYTES = 1_000_000  # a request file holds parameters, not documents


@dataclass(frozen=True)
class FileSpec:
    """A file input: `ingest` (documents into the store) or read by the task; `batch`: a folder
    of case folders is split into one case per subfolder."""

    name: str
    ingest: bool
    kind: Literal["file", "folder", "any"]
    batch: bool
    description: str


def documents(description: str, *, kind: Literal["file", "folder", "any"] = "any", batch: bool = False) -> Any:
    """A file or folder whose documents are ingested; the task retrieves from them by scope."""
    return Field(description=description,
                 json_schema_extra={_MARK: {"ingest": True, "kind": kind, "batch": batch}})


def input_file(description: str, *, kind: Literal["file", "folder", "any"] = "file") -> Any:
    """A file the task reads itself (a table, a job description); never embedded."""
    return Field(description=description,
                 json_schema_extra={_MARK: {"ingest": False, "kind": kind, "batch": False}})


def file_specs(model: type[BaseModel]) -> dict[str, FileSpec]:
    specs = {}
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        mark = extra.get(_MARK)
        if isinstance(mark, dict):
            specs[name] = FileSpec(name, bool(mark["ingest"]), mark["kind"], bool(mark["batch"]),
                                   info.description or "")
    return specs


def parse_assignments(items: list[str], option: str) -> dict[str, str]:
    """`name=value` items (repeatable CLI options) -> dict; a bare value is returned under ''."""
    parsed: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            name, value = "", item
        elif not name.strip():
            raise ConfigError(f"{option} {item!r}: empty name; expected name=value")
        parsed[name.strip()] = value
    return parsed


def read_request(path: Path) -> dict[str, Any]:
    """A request file (JSON or YAML mapping of input fields), size-limited and a regular file."""
    if not path.is_file():
        raise ConfigError(f"--request {path}: not a regular file")
    if path.stat().st_size > MAX_REQUEST_BYTES:
        raise ConfigError(f"--request {path}: larger than {MAX_REQUEST_BYTES:,} bytes")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--request {path}: not valid JSON or YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"--request {path}: expected a mapping of input fields")
    return data


def build_input(model: type[BaseModel], *, files: Mapping[str, Path] | None = None,
                params: Mapping[str, Any] | None = None, request: Mapping[str, Any] | None = None,
                base: Path | None = None) -> BaseModel:
    """Validate a task input from a request mapping, file inputs and parameters (later wins).

    A file given without a name goes to the model's only file input. Relative file paths in a
    request are resolved against `base` (the request file's folder, or a corpus root).
    """
    specs = file_specs(model)
    data: dict[str, Any] = dict(request or {})
    for name, value in (files or {}).items():
        if name == "":
            if len(specs) != 1:
                raise ConfigError("--input needs a name (name=PATH): this task takes "
                                  + (", ".join(specs) or "no files"))
            name = next(iter(specs))
        elif name not in specs:
            raise ConfigError(f"--input {name}=...: not a file input of this task; file inputs: "
                              + (", ".join(specs) or "none"))
        data[name] = value
    for name, value in (params or {}).items():
        if name in specs or name not in model.model_fields:
            known = [n for n in model.model_fields if n not in specs]
            raise ConfigError(f"--param {name or value!r}: not a parameter of this task; parameters: "
                              + (", ".join(known) or "none"))
        data[name] = _param_value(model, name, value)
    if base is not None:
        for name in specs:
            if name in data and not Path(str(data[name])).is_absolute():
                data[name] = base / str(data[name])
    try:
        inputs = model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"invalid task input: {problems}") from exc
    for name, spec in specs.items():
        _check_path(spec, getattr(inputs, name))
    return inputs


def _param_value(model: type[BaseModel], name: str, value: Any) -> Any:
    """CLI values are strings: pydantic converts them to numbers, dates and booleans; list and
    mapping parameters are given as JSON (`--param skus='["A1","B2"]'`)."""
    annotation = model.model_fields[name].annotation
    if not isinstance(value, str) or get_origin(annotation) not in (list, dict, tuple, set):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"--param {name}: expected a JSON list or object, got {value!r}") from exc


def _check_path(spec: FileSpec, value: Any) -> None:
    if value is None:
        return
    path = Path(value)
    if not path.exists():
        raise ConfigError(f"input '{spec.name}': {path} does not exist")
    if spec.kind == "file" and not path.is_file():
        raise ConfigError(f"input '{spec.name}': {path} is not a file")
    if spec.kind == "folder" and not path.is_dir():
        raise ConfigError(f"input '{spec.name}': {path} is not a folder")


def input_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The input model's JSON schema (file inputs carry the `x-rightsized-file` marker)."""
    return model.model_json_schema()
