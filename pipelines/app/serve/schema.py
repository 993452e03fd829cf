"""Request and response schemas of each task endpoint, generated from the task's declaration.

Why hand-assembled OpenAPI pieces rather than FastAPI parameters: the endpoints are created at
start-up from whatever domains are installed, file inputs become multipart uploads and the rest
form fields (or a JSON body when a task takes no files), and every schema must name its domain
so two domains with a model of the same name never collide in `components`.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from rightsized.domains.base import Task
from rightsized.domains.inputs import file_specs

COMPONENTS = "#/components/schemas/"


class ErrorBody(BaseModel):
    """Every refusal and failure: a stable `error` kind and a message saying what to do."""

    error: str
    message: str


class IngestErrorBody(BaseModel):
    file: str
    reason: str


class IngestSummary(BaseModel):
    files_seen: int
    files_ingested: int
    files_unchanged: int
    files_failed: int
    chunks_added: int
    chunks_deleted: int
    seconds: float
    errors: list[IngestErrorBody]
    doc_ids: list[str]


class CaseErrorBody(BaseModel):
    case: str
    type: str
    message: str


SHARED_MODELS = (ErrorBody, IngestSummary, CaseErrorBody)


def _schema(model: type[BaseModel], prefix: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the model's schema, its nested definitions) with every reference under `prefix`."""
    schema = model.model_json_schema(ref_template=COMPONENTS + prefix + "{model}")
    defs = {prefix + name: body for name, body in schema.pop("$defs", {}).items()}
    return schema, defs


def shared_components() -> dict[str, Any]:
    components: dict[str, Any] = {}
    for model in SHARED_MODELS:
        schema, defs = _schema(model, "")
        components.update(defs)
        components[model.__name__] = schema
    return components


def task_components(domain: str, task: Task[Any, Any]) -> tuple[dict[str, Any], dict[str, Any], str]:
    """(component schemas, the operation's requestBody, its 200 response schema reference)."""
    prefix = f"{domain}.{task.name}."
    specs = file_specs(task.input_model)
    inputs, components = _schema(task.input_model, prefix)
    properties = dict(inputs.get("properties", {}))
    required = [n for n in inputs.get("required", []) if n in properties]
    for name, spec in specs.items():
        binary = {"type": "string", "format": "binary"}
        described = {"description": f"{spec.description} ({'ingested' if spec.ingest else 'read by the task'})"}
        if spec.kind == "file":
            properties[name] = {**binary, **described}
        else:
            properties[name] = {"type": "array", "items": binary, **described,
                                "minItems": 1 if name in required else 0}
    body_schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        body_schema["required"] = required
    components[prefix + "Input"] = body_schema
    media = "multipart/form-data" if specs else "application/json"
    content: dict[str, Any] = {"schema": {"$ref": COMPONENTS + prefix + "Input"}}
    if specs:  # repeated parts for folder inputs; parameters as plain form fields
        content["encoding"] = {n: {"contentType": "application/octet-stream"} for n in specs}
    request_body = {"required": bool(required) or not specs, "content": {media: content}}

    result, defs = _schema(task.result_model, prefix)
    components.update(defs)
    components[prefix + "Result"] = result
    components[prefix + "Response"] = {
        "type": "object", "title": f"{domain} {task.name} response",
        "description": "What `rightsized run --json` prints for the same input.",
        "required": ["domain", "task", "tier", "ingest", "results", "errors", "warnings"],
        "properties": {
            "domain": {"type": "string"}, "task": {"type": "string"}, "tier": {"type": "string"},
            "ingest": {"$ref": COMPONENTS + "IngestSummary"},
            "results": {"type": "array", "items": {"$ref": COMPONENTS + prefix + "Result"}},
            "errors": {"type": "array", "items": {"$ref": COMPONENTS + "CaseErrorBody"}},
            "warnings": {"type": "array", "items": {"type": "string"}},
        },
    }
    return components, request_body, COMPONENTS + prefix + "Response"
