"""`rightsized tasks`: every domain's tasks, their inputs and metrics, read from the declarations.

The same description is what an HTTP API would publish: each task's input and result models
generate JSON schemas, and file inputs carry their `x-rightsized-file` marker.
"""
from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from rightsized.domains.base import Domain, Task
from rightsized.domains.inputs import file_specs
from rightsized.domains.registry import get_domain, load_all
from rightsized.pipelines.app.views import printable
from rightsized.pipelines.config import Settings


def describe_task(task: Task[Any, Any]) -> dict[str, Any]:
    files = file_specs(task.input_model)
    schema = task.input_model.model_json_schema()
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema.get("properties", {}).items():
        if name in files:
            continue
        kind = prop.get("type") or prop.get("format") or " | ".join(
            str(p.get("format") or p.get("type")) for p in prop.get("anyOf", []))
        params.append({"name": name, "type": kind, "required": name in required,
                       "default": prop.get("default"), "description": prop.get("description", "")})
    return {
        "name": task.name, "description": task.description,
        "files": [{"name": f.name, "ingested": f.ingest, "kind": f.kind, "batch": f.batch,
                   "required": f.name in required, "description": f.description} for f in files.values()],
        "params": params,
        "metrics": [m.to_dict(task.name) for m in task.metrics],
        "input_schema": schema,
        "result_schema": task.result_model.model_json_schema(),
    }


def _describe(domain: Domain) -> dict[str, Any]:
    return {"domain": domain.name, "description": domain.description, "sensitive": domain.sensitive,
            "tasks": [describe_task(t) for t in domain.tasks]}


def describe_domains(name: str | None = None) -> list[dict[str, Any]]:
    """One entry per domain; a domain that fails to load is listed with its error."""
    if name is not None:
        return [_describe(get_domain(name))]
    loaded, failed = load_all()
    described = [_describe(d) for d in loaded.values()]
    described += [{"domain": n, "error": exc.cause, "source": exc.source} for n, exc in failed.items()]
    return sorted(described, key=lambda d: d["domain"])


def render_domains(console: Console, described: list[dict[str, Any]]) -> None:
    for domain in described:
        if "error" in domain:
            console.print(f"[bold]{domain['domain']}[/bold]: [red]failed to load[/red] ({domain['source']}): "
                          f"{domain['error']}", highlight=False)
            continue
        table = Table(title=f"{domain['domain']}: {domain['description']}", title_justify="left")
        for column in ("task", "files (--input NAME=PATH)", "parameters (--param NAME=VALUE)", "metrics"):
            table.add_column(column, overflow="fold")
        for task in domain["tasks"]:
            files = [f"{f['name']}{'' if f['required'] else '?'}: {f['kind']}"
                     f"{', ingested' if f['ingested'] else ', read as is'}{', batch' if f['batch'] else ''}"
                     for f in task["files"]]
            params = [f"{p['name']}{'' if p['required'] else '?'}: {p['type']}" for p in task["params"]]
            metrics = [f"{m['name']} ({m['kind']}, {'higher' if m['higher_is_better'] else 'lower'} is better"
                       f"{', primary' if m['primary'] else ''})" for m in task["metrics"]]
            table.add_row(f"{task['name']}\n{task['description']}", "\n".join(files), "\n".join(params),
                          "\n".join(metrics))
        console.print(table)


def domain_resources(settings: Settings, name: str) -> list[dict[str, Any]]:
    """What a domain loads at run time under these settings (e.g. sanctions lists), with warnings."""
    domain = get_domain(name)
    config = domain.configure(settings.domains.get(name))
    return [{"name": r.name, "facts": r.facts, "warnings": list(r.warnings)} for r in domain.resources(config)]


def render_resources(console: Console, domain: str, resources: list[dict[str, Any]]) -> None:
    if not resources:
        console.print(f"{escape(domain)}: no run-time resources to check", highlight=False)
    for resource in resources:
        table = Table(title=escape(resource["name"]), title_justify="left", show_header=False)
        for key, value in resource["facts"].items():
            table.add_row(escape(str(key)), escape(printable(value)))
        console.print(table)
        for warning in resource["warnings"]:
            console.print(f"[yellow]warning:[/yellow] {escape(printable(warning))}", highlight=False)
