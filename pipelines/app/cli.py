"""The `rightsized` command line: parse arguments, call the library, render the typed result.

Exit codes: 0 everything succeeded; 1 something in the batch failed (bad file, failed case) or
the reader of stdout stopped early (`| head`);
2 the command could not run (bad argument or config, unknown domain or tier; one line on stderr
names the argument and the fix); 3 an internal error (a bug): one line
"internal error: TYPE: message; rerun with RIGHTSIZED_DEBUG=1 for the traceback".
With RIGHTSIZED_DEBUG=1 unexpected exceptions and library log records keep their tracebacks.

Files and folders the CLI creates are readable by their owner only (umask 077): the data
directory, stores, runs and reports hold names, dates of birth and addresses.
"""
from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import asdict
from pathlib import Path
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from rightsized.pipelines.app.views import printable
from rightsized.pipelines.config import Settings, load_settings
from rightsized.pipelines.errors import ConfigError, RightsizedError

DEBUG_ENV = "RIGHTSIZED_DEBUG"


class _OneLine(logging.Formatter):
    """A library's log record as one line: some attach a traceback, which is for debugging only."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


class _GuardedGroup(TyperGroup):
    """Runs every command with private file modes, one-line logging and the exit-3 handler."""

    def invoke(self, ctx: typer.Context) -> Any:
        # Everything a command writes (data dir, stores, runs, reports, corpora) may hold personal
        # data: owner-only from the first file on, including files that libraries (milvus_lite,
        # report writers) create with their own modes, which the umask masks.
        os.umask(0o077)
        debug = bool(os.environ.get(DEBUG_ENV))
        handler = logging.StreamHandler(sys.stderr)
        if not debug:
            handler.setFormatter(_OneLine())
            # Milvus Lite's in-process gRPC server logs every RPC it does not implement (pymilvus
            # asks for AllocTimestamp); the client gets that status and handles it: noise to a user.
            logging.getLogger("grpc._server").setLevel(logging.CRITICAL)
        logging.basicConfig(handlers=[handler], level=logging.WARNING)
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):  # typer's own exits and usage errors
            raise
        except BrokenPipeError:  # the reader stopped early (`| head`): click exits 1 without a word
            raise
        except Exception as exc:
            if debug:
                raise
            message = " ".join(str(exc).split())[:500]
            console.print(f"[red]internal error:[/red] {type(exc).__name__}: {escape(message)}; "
                          f"rerun with {DEBUG_ENV}=1 for the traceback", highlight=False, soft_wrap=True)
            raise typer.Exit(3) from None


app = typer.Typer(help="Domain RAG pipelines with swappable model tiers, measured on your documents.",
                  no_args_is_help=True, pretty_exceptions_enable=False, cls=_GuardedGroup)
bench_app = typer.Typer(help="Benchmarks: ratios against the raw components, measured in the same run.",
                        no_args_is_help=True)
app.add_typer(bench_app, name="bench")
console = Console(stderr=True)
out = Console()

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="Your YAML, merged over the shipped tiers.")]
SetOpt = Annotated[list[str] | None, typer.Option("--set", help="Override a field: path=value (repeatable).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output on stdout.")]
TierOpt = Annotated[str | None, typer.Option("--tier", "-t", help="Tier name (default: the config's default_tier).")]
NamespaceOpt = Annotated[str | None, typer.Option(help="Document-id namespace of this source (default: the folder's "
                                                  "name + a hash of its absolute path).")]


def _settings(config: Path | None, overrides: list[str] | None) -> Settings:
    try:
        return load_settings(config, overrides)
    except RightsizedError as exc:
        raise _fail(exc) from exc


def _fail(exc: Exception) -> typer.Exit:
    """Print the error unwrapped (a wrapped line breaks grep and log parsing) and exit 2."""
    console.print(f"[red]error:[/red] {escape(printable(exc))}", highlight=False, soft_wrap=True)
    return typer.Exit(2)


def _run_folder(path: Path, argument: str) -> Path:
    """`path` if it is a folder; else exit 2 naming the argument (the readers assume a folder)."""
    if not path.is_dir():
        raise _fail(RightsizedError(f"{argument} {path}: not a run folder (a folder holding run.json, "
                                    "under <data_dir>/runs/)"))
    return path


def _emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def _show(as_json: bool, payload: Callable[[], Any], render: Callable[[], None]) -> None:
    """`--json`: the payload on stdout; otherwise the human rendering."""
    if as_json:
        _emit_json(payload())
    else:
        render()


@app.command()
def tiers(config: ConfigOpt = None, set_: SetOpt = None, as_json: JsonOpt = False) -> None:
    """List every tier with its availability and, when unavailable, the reason."""
    from rightsized.pipelines.runtime import Workspace
    from rightsized.pipelines.app.views import tiers_table

    settings = _settings(config, set_)
    statuses = Workspace(settings, domain="_").statuses()
    _show(as_json, lambda: [s.__dict__ for s in statuses], lambda: out.print(tiers_table(statuses)))


@app.command()
def corpus(
    domain: Annotated[str, typer.Argument(help="Domain name (`rightsized tasks` lists them).")],
    out_dir: Annotated[Path, typer.Argument(help="Writes OUT_DIR/documents/ and OUT_DIR/gold.jsonl.")],
    n: Annotated[int, typer.Option(min=1, help="Number of cases (at least 1).")] = 16,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same corpus).")] = 7,
) -> None:
    """Build a domain's deterministic sample corpus with its ground truth."""
    from rightsized.domains.registry import get_domain

    if out_dir.exists() and not out_dir.is_dir():
        raise _fail(RightsizedError(f"OUT_DIR {out_dir}: exists and is not a folder; give a new or existing folder"))
    try:
        built = get_domain(domain).build_corpus(out_dir, n=n, seed=seed)
    except RightsizedError as exc:
        raise _fail(exc) from exc
    except OSError as exc:  # e.g. a path component that is a file, no permission, disk full
        raise _fail(RightsizedError(f"OUT_DIR {out_dir}: cannot write the corpus there ({exc.strerror}: "
                                    f"{exc.filename}); give a writable folder")) from exc
    console.print(f"wrote {len(built.gold)} cases: documents in {built.root}, answers in {out_dir / 'gold.jsonl'}")


@app.command()
def ingest(
    domain: Annotated[str, typer.Argument(help="Domain the documents belong to.")],
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (recursive).")],
    namespace: NamespaceOpt = None,
    tier: TierOpt = None, config: ConfigOpt = None, set_: SetOpt = None, as_json: JsonOpt = False,
) -> None:
    """Load, chunk, embed and upsert documents (idempotent: unchanged files are skipped).

    Document ids are NAMESPACE/PATH-IN-FOLDER; the namespace defaults to the folder's name plus a
    hash of its absolute path, so two folders never overwrite each other's documents."""
    from rightsized.pipelines.app.ops import ingest_paths
    from rightsized.pipelines.app.views import ingest_summary

    settings = _settings(config, set_)
    try:
        report = ingest_paths(settings, domain, paths, tier or settings.default_tier, namespace=namespace,
                              show_progress=not as_json)
    except RightsizedError as exc:
        raise _fail(exc) from exc
    _show(as_json, report.to_dict, lambda: ingest_summary(console, report))
    raise typer.Exit(0 if report.ok else 1)


@app.command()
def delete(
    domain: Annotated[str, typer.Argument(help="Domain of the document.")],
    doc_id: Annotated[str, typer.Argument(help="Document id as `ingest` reports it (NAMESPACE/PATH).")],
    tier: TierOpt = None, config: ConfigOpt = None, set_: SetOpt = None,
) -> None:
    """Remove a document's chunks from the store."""
    from rightsized.pipelines.runtime import Workspace

    settings = _settings(config, set_)
    workspace = Workspace(settings, domain=domain)
    try:
        store = workspace.store(tier or settings.default_tier)
        deleted = store.delete_document(doc_id)
        store.flush()
    except RightsizedError as exc:
        raise _fail(exc) from exc
    finally:
        workspace.close()
    console.print(f"deleted {deleted} chunk(s) of '{escape(printable(doc_id))}'", highlight=False)
    raise typer.Exit(0 if deleted else 1)


@app.command()
def tasks(
    domain: Annotated[str | None, typer.Argument(help="Only this domain (default: every domain).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List each domain's tasks with their inputs (files and parameters) and metrics."""
    from rightsized.pipelines.app.catalog import describe_domains, render_domains

    try:
        described = describe_domains(domain)
    except RightsizedError as exc:
        raise _fail(exc) from exc
    _show(as_json, lambda: described, lambda: render_domains(out, described))
    raise typer.Exit(1 if any("error" in d for d in described) else 0)


@app.command()
def check(
    domain: Annotated[str, typer.Argument(help="Domain (`rightsized tasks` lists them).")],
    config: ConfigOpt = None, set_: SetOpt = None, as_json: JsonOpt = False,
) -> None:
    """Show what a domain loads at run time under your settings (e.g. sanctions lists: source, snapshot
    date, rows, hash, age) and warn about anything stale; exit 1 when there is a warning."""
    from rightsized.pipelines.app.catalog import domain_resources, render_resources

    settings = _settings(config, set_)
    try:
        resources = domain_resources(settings, domain)
    except RightsizedError as exc:
        raise _fail(exc) from exc
    _show(as_json, lambda: resources, lambda: render_resources(out, domain, resources))
    raise typer.Exit(1 if any(r["warnings"] for r in resources) else 0)


@app.command()
def run(
    domain: Annotated[str, typer.Argument(help="Domain (`rightsized tasks` lists them).")],
    task: Annotated[str | None, typer.Argument(help="Task of the domain (default: its first task).")] = None,
    inputs: Annotated[list[str] | None, typer.Option("--input", "-i", help="A file input: NAME=PATH, or PATH "
                                                     "when the task has one file input (repeatable).")] = None,
    params: Annotated[list[str] | None, typer.Option("--param", "-p", help="A parameter: NAME=VALUE (repeatable).")] = None,
    request: Annotated[Path | None, typer.Option(help="A JSON/YAML file with the task's input fields "
                                                 "(relative paths are resolved against its folder).")] = None,
    namespace: NamespaceOpt = None,
    tier: TierOpt = None, config: ConfigOpt = None, set_: SetOpt = None, as_json: JsonOpt = False,
) -> None:
    """Run a domain task: validate its input, ingest its documents, run each case on the tier."""
    from rightsized.domains.inputs import parse_assignments, read_request
    from rightsized.pipelines.app.ops import run_task
    from rightsized.pipelines.app.views import ingest_summary, render_result

    settings = _settings(config, set_)
    try:
        files = {name: Path(value) for name, value in parse_assignments(inputs or [], "--input").items()}
        outcome = run_task(settings, domain, task, tier or settings.default_tier, files=files,
                           params=parse_assignments(params or [], "--param"),
                           request=read_request(request) if request else None,
                           request_base=request.parent if request else None,
                           namespace=namespace, show_progress=not as_json)
    except RightsizedError as exc:  # includes an unavailable tier, with its reason
        raise _fail(exc) from exc
    if as_json:
        _emit_json(outcome.to_dict())
    else:
        ingest_summary(console, outcome.ingest)
        for case in outcome.cases:
            if case.result is not None:
                render_result(out, case.result)
            else:
                console.print(f"[red]failed:[/red] {escape(printable(case.name))}: {escape(printable(case.error))}",
                              highlight=False)
    raise typer.Exit(0 if outcome.ok else 1)


@app.command()
def demo(
    n: Annotated[int, typer.Option(min=1, help="Cases per domain in the sample corpus.")] = 16,
    tiers_: Annotated[list[str] | None, typer.Option("--tier", help="Tiers to compare (default: all).")] = None,
    config: ConfigOpt = None, set_: SetOpt = None, as_json: JsonOpt = False,
) -> None:
    """Build every domain's sample corpus, run every available tier, print and report the comparison.

    Demo data goes to collections of its own (rseval_*), never beside your documents."""
    from rightsized.domains.registry import discover
    from rightsized.pipelines.app.progress import progress_callback

    from rightsized.eval.grid import EvalPlan, run_eval

    settings = _settings(config, set_)
    try:
        plan = EvalPlan(domains=list(discover()), tiers=tiers_ or list(settings.tiers), suite="synthetic", n=n)
        with progress_callback(not as_json, "demo") as callback:
            run_dir = run_eval(settings, plan, progress=callback)
    except RightsizedError as exc:
        raise _fail(exc) from exc
    _finish_run(run_dir, as_json)


@app.command("eval")
def eval_(
    domains: Annotated[list[str] | None, typer.Option("--domain", "-d", help="Domains (default: all).")] = None,
    tiers_: Annotated[list[str] | None, typer.Option("--tier", "-t", help="Tiers (default: all).")] = None,
    suite: Annotated[str | None, typer.Option(help="synthetic, real or all (default: all).")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most N cases per domain and suite (N >= 1).")] = None,
    n: Annotated[int | None, typer.Option(min=1, help="Synthetic cases per domain (default: 16).")] = None,
    resume: Annotated[Path | None, typer.Option(help="Continue an interrupted run (its folder) with its own stored "
                                                "plan; flags that differ from it are refused.")] = None,
    config: ConfigOpt = None, set_: SetOpt = None, as_json: JsonOpt = False,
) -> None:
    """Run the domains x tiers grid; store every case; resumable; ends with the report."""
    from rightsized.domains.registry import discover
    from rightsized.pipelines.app.progress import progress_callback

    from rightsized.eval.grid import EvalPlan, resumed_plan, run_eval

    settings = _settings(config, set_)
    requested = {"domains": domains, "tiers": tiers_, "suite": suite, "limit": limit, "n": n}
    try:
        if resume is not None:
            plan = resumed_plan(_run_folder(resume, "--resume"), requested)
        else:
            plan = EvalPlan(domains=domains or list(discover()), tiers=tiers_ or list(settings.tiers),
                            suite=suite or "all", limit=limit, n=n or 16)
        with progress_callback(not as_json, "eval") as callback:
            run_dir = run_eval(settings, plan, resume=resume, progress=callback)
    except RightsizedError as exc:
        raise _fail(exc) from exc
    except KeyboardInterrupt:
        console.print("[yellow]interrupted: continue with `rightsized eval --resume RUN`[/yellow]")
        raise typer.Exit(130) from None
    _finish_run(run_dir, as_json)


def _finish_run(run_dir: Path, as_json: bool) -> None:
    """Write the report of a finished grid run, print its summary, exit 1 if any case failed."""
    from rightsized.pipelines.app.views import render_run_summary

    from rightsized.eval.report import load_run, summarise_run, write_report

    try:
        md, html = write_report(run_dir)
        run = load_run(run_dir)
    except RightsizedError as exc:
        raise _fail(exc) from exc
    summaries = summarise_run(run)
    if as_json:
        _emit_json({"run_dir": str(run_dir), "report_html": str(html), "report_md": str(md),
                    "unavailable": run.meta.get("unavailable", {}), "failed_domains": run.meta.get("failed_domains", {}),
                    "skipped_suites": run.meta.get("skipped_suites", {}), "warnings": run.meta.get("warnings", {}),
                    "summaries": [asdict(s) for s in summaries]})
    else:
        render_run_summary(out, run, summaries)
        console.print(f"run: {run_dir}\nreport: {html}\n        {md}", highlight=False)
    failed = run.meta.get("failed_domains") or {}
    raise typer.Exit(0 if not failed and all(s.errors == 0 for s in summaries) else 1)


@app.command()
def report(run_dir: Annotated[Path, typer.Argument(help="A run folder (under <data_dir>/runs/).")]) -> None:
    """Write report.md and a self-contained report.html for a stored run."""
    from rightsized.eval.report import write_report

    try:
        md, html = write_report(_run_folder(run_dir, "RUN_DIR"))
    except RightsizedError as exc:
        raise _fail(exc) from exc
    out.print(f"{html}\n{md}", highlight=False)


@app.command()
def compare(
    run_a: Annotated[Path, typer.Argument(help="Baseline run folder.")],
    run_b: Annotated[Path, typer.Argument(help="Run folder to compare against it.")],
    as_json: JsonOpt = False,
) -> None:
    """Per-metric deltas (B - A) with a 95% CI by the metric's kind (McNemar's exact test for proportions on
    the same cases, bootstrap for means and ratios), and whether B is better, worse or within the noise."""
    from rightsized.pipelines.app.views import render_deltas

    from rightsized.eval.compare import compare_runs
    from rightsized.eval.report import load_run

    try:
        deltas = compare_runs(load_run(_run_folder(run_a, "RUN_A")), load_run(_run_folder(run_b, "RUN_B")))
    except RightsizedError as exc:
        raise _fail(exc) from exc
    _show(as_json, lambda: [d.to_dict() for d in deltas], lambda: render_deltas(out, deltas))


@app.command()
def recommend(
    domain: Annotated[str, typer.Option("--domain", "-d", help="Domain to recommend for.")],
    requests_per_day: Annotated[int, typer.Option(help="Expected volume.")],
    constraint: Annotated[str, typer.Option(help="cost, latency, accuracy, compliance or speed (to market).")],
    deployment: Annotated[str, typer.Option(help="edge, single-gpu, multi-gpu or cloud.")],
    min_quality: Annotated[float | None, typer.Option(help="Quality bar on the primary metric (default: the best measured).")] = None,
    run_dir: Annotated[Path | None, typer.Option("--run", help="Run folder (default: the latest).")] = None,
    suite: Annotated[str, typer.Option(help="Suite whose numbers to use.")] = "synthetic",
    config: ConfigOpt = None, set_: SetOpt = None, as_json: JsonOpt = False,
) -> None:
    """Apply the decision checklist (scale, constraint, deployment) to the measured numbers."""
    from rightsized.pipelines.app.views import render_recommendation

    from rightsized.eval.recommend import DEPLOYMENT_SIZES, recommend as run_recommend
    from rightsized.eval.report import load_run
    from rightsized.eval.runs import latest_run

    settings = _settings(config, set_)
    if constraint not in ("cost", "latency", "accuracy", "compliance", "speed"):
        raise _fail(RightsizedError(f"--constraint {constraint!r}: expected cost, latency, accuracy, compliance or speed"))
    if deployment not in DEPLOYMENT_SIZES:
        raise _fail(RightsizedError(f"--deployment {deployment!r}: expected {', '.join(DEPLOYMENT_SIZES)}"))
    try:
        run = load_run(_run_folder(run_dir, "--run") if run_dir else latest_run(settings.resolved_data_dir / "runs"))
        rec = run_recommend(settings, run, domain=domain, requests_per_day=requests_per_day,
                            constraint=constraint, deployment=deployment, min_quality=min_quality, suite=suite)
    except RightsizedError as exc:
        raise _fail(exc) from exc
    _show(as_json, rec.to_dict, lambda: render_recommendation(out, rec))
    raise typer.Exit(0 if rec.choice else 1)


@app.command()
def migrate(
    to: Annotated[str, typer.Option("--to", help="Destination: http(s)://HOST:PORT or milvus:URI (Milvus server), "
                                    "pinecone:HOST_URL, milvus-lite:PATH.")],
    from_: Annotated[str | None, typer.Option("--from", help="Source: milvus-lite:PATH or a Milvus server URI "
                                              "(default: the configured Milvus Lite data).")] = None,
    collection: Annotated[str | None, typer.Option(help="Copy only this collection (default: every rs_* one).")] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Records read and written per batch.")] = 500,
    resume: Annotated[bool, typer.Option(help="Continue an interrupted copy: write only records missing or different there.")] = False,
    sample: Annotated[int, typer.Option(min=0, help="Ids compared record by record after the copy.")] = 100,
    config: ConfigOpt = None, set_: SetOpt = None, as_json: JsonOpt = False,
) -> None:
    """Copy collections (vectors, text, metadata) to another store without re-embedding, then verify."""
    from rightsized.pipelines.migrate import migrate as run_migration, parse_store_spec
    from rightsized.pipelines.app.progress import progress_callback
    from rightsized.pipelines.app.views import migration_table

    settings = _settings(config, set_)
    source = from_ or f"milvus-lite:{settings.store_path}"
    for option, spec in (("--from", source), ("--to", to)):
        try:
            parse_store_spec(spec, settings)
        except RightsizedError as exc:
            raise _fail(RightsizedError(f"{option}: {exc}")) from exc
        if not spec.partition(":")[2].strip("/"):
            raise _fail(RightsizedError(f"{option} {spec!r}: no address after the scheme, e.g. "
                                        "milvus:http://127.0.0.1:19530 or milvus-lite:/path/to/milvus.db"))
    try:
        with progress_callback(not as_json, "migrate") as progress:
            reports = run_migration(settings, source, to, collection=collection, batch_size=batch_size,
                                    resume=resume, sample=sample, progress=progress)
    except RightsizedError as exc:
        if not isinstance(exc, ConfigError):  # a copy that started: what is written stays there
            console.print("[yellow]nothing is lost: rerun with --resume to continue[/yellow]")
        raise _fail(exc) from exc
    except KeyboardInterrupt:
        console.print("[yellow]interrupted: rerun with --resume to continue[/yellow]")
        raise typer.Exit(130) from None
    _show(as_json, lambda: [r.to_dict() for r in reports], lambda: out.print(migration_table(reports)))
    raise typer.Exit(0 if reports and all(r.ok for r in reports) else 1)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on; beyond 127.0.0.1 only with API keys.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8000,
    tiers_: Annotated[list[str] | None, typer.Option("--tier", "-t", help="Tiers to serve (default: every "
                                                     "tier available at start-up).")] = None,
    domains: Annotated[list[str] | None, typer.Option("--domain", "-d", help="Domains to serve (default: "
                                                      "every installed domain).")] = None,
    keys_file: Annotated[Path | None, typer.Option(help="YAML of hashed API keys with their domains and tiers "
                                                   "(default: $RIGHTSIZED_API_KEYS_FILE, else $RIGHTSIZED_API_KEYS).")] = None,
    max_request_mb: Annotated[float, typer.Option(min=0.001, help="Largest request body.")] = 50.0,
    max_upload_mb: Annotated[float, typer.Option(min=0.001, help="Largest uploaded file.")] = 20.0,
    queue: Annotated[int, typer.Option(min=0, help="Requests that may wait per tier; more get 503.")] = 16,
    max_wait: Annotated[float, typer.Option(min=0.001, help="Seconds a request may expect to wait for its "
                                            "tier; longer: 503 at once.")] = 30.0,
    concurrency: Annotated[int, typer.Option(min=1, help="Cases run at once per tier (llama.cpp tiers: 1).")] = 2,
    rate_per_minute: Annotated[float, typer.Option(min=0.001, help="Requests per minute per key (burst "
                                                   "the same); a key's own rate wins.")] = 600.0,
    shutdown_timeout: Annotated[float, typer.Option(min=0.001, help="Seconds in-flight requests get to "
                                                    "finish on SIGTERM/SIGINT.")] = 60.0,
    max_connections: Annotated[int, typer.Option(min=1, help="Open connections at most; more get 503 "
                                                 "at once.")] = 256,
    openapi: Annotated[bool, typer.Option("--openapi", help="Print the OpenAPI schema of the installed "
                                          "domains and exit.")] = False,
    config: ConfigOpt = None, set_: SetOpt = None,
) -> None:
    """Serve every domain task over HTTP: POST /v1/DOMAIN/TASK, /docs, /metrics, /readyz."""
    from rightsized.pipelines.app.serve.app import local_app
    from rightsized.pipelines.app.serve.auth import load_keys
    from rightsized.pipelines.app.serve.server import serve_forever
    from rightsized.pipelines.app.serve.settings import ServeSettings, check_bind

    settings = _settings(config, set_)
    try:
        for name in tiers_ or []:
            settings.tier(name)
        options = ServeSettings(host=host, port=port, tiers=tuple(tiers_ or ()), domains=tuple(domains or ()),
                                keys_file=keys_file,
                                max_request_mb=max_request_mb, max_upload_mb=max_upload_mb, queue_size=queue,
                                max_wait_s=max_wait, concurrency=concurrency, rate_per_minute=rate_per_minute,
                                shutdown_timeout_s=shutdown_timeout, max_connections=max_connections)
        if openapi:
            _emit_json(local_app(settings, options).openapi())
            return
        keys = load_keys(keys_file)
        check_bind(host, keys.enabled)
        served = local_app(settings, options, keys)
        console.print(f"serving on http://{host}:{port} ({len(keys.keys)} API key(s){'' if keys.enabled else ', local only'}); "
                      "docs at /docs, readiness at /readyz", highlight=False)
        serve_forever(served, options, keys)
    except RightsizedError as exc:
        raise _fail(exc) from exc


@bench_app.command("ingest")
def bench_ingest(
    docs: Annotated[int, typer.Option(min=1, help="Documents to ingest (at least 1); with --domain, the "
                                                 "sample corpus's case count.")] = 300,
    words: Annotated[int, typer.Option(min=12, help="Words per synthetic document (at least 12: one sentence).")] = 800,
    domain: Annotated[str | None, typer.Option("--domain", "-d", help="Ingest this domain's sample corpus through "
                                               "its redactor, and report the redaction's share.")] = None,
    config: ConfigOpt = None, set_: SetOpt = None, as_json: JsonOpt = False,
) -> None:
    """Whole-path ingest throughput vs a raw sentence-transformers encode of the same chunks."""
    from rightsized.domains.registry import get_domain

    from rightsized.eval.bench import bench_ingest as run_bench

    settings = _settings(config, set_)
    try:
        report = run_bench(settings, docs=docs, words=words, domain=get_domain(domain) if domain else None)
    except RightsizedError as exc:
        raise _fail(exc) from exc
    _show(as_json, lambda: report, lambda: _print_figures(report))


@bench_app.command("domain")
def bench_domain(
    domain: Annotated[str, typer.Argument(help="The domain whose benchmarks to run.")],
    name: Annotated[str | None, typer.Argument(help="One benchmark (default: all of the domain's).")] = None,
    tier: Annotated[str | None, typer.Option("--tier", "-t", help="Tier (default: the configured default).")] = None,
    config: ConfigOpt = None, set_: SetOpt = None, as_json: JsonOpt = False,
) -> None:
    """A domain's own end-to-end benchmarks (e.g. rank 500 resumes), as ratios to raw components."""
    from rightsized.domains.registry import get_domain
    from rightsized.pipelines.runtime import Workspace
    from rightsized.pipelines.stores.base import EVAL_PREFIX

    settings = _settings(config, set_)
    reports: dict[str, Any] = {}
    try:
        found = get_domain(domain)
        benchmarks = [b for b in found.benchmarks() if name is None or b.name == name]
        if not benchmarks:
            known = ", ".join(b.name for b in found.benchmarks()) or "none"
            raise ConfigError(f"domain '{domain}' has no benchmark '{name}'; its benchmarks: {known}" if name
                              else f"domain '{domain}' declares no benchmarks")
        workspace = Workspace(settings, domain=domain, prefix=EVAL_PREFIX)
        try:
            chosen = tier or settings.default_tier
            workspace.tier(chosen)
            for benchmark in benchmarks:
                reports[benchmark.name] = benchmark.run(workspace, chosen)
        finally:
            workspace.close()
    except RightsizedError as exc:
        raise _fail(exc) from exc

    def render() -> None:
        for bench_name, report in reports.items():
            out.print(f"[bold]{domain} / {bench_name}[/bold]")
            _print_figures(report)

    _show(as_json, lambda: reports, render)


def _print_figures(report: dict[str, Any]) -> None:
    for key, value in report.items():
        out.print(f"{key:>32}: {value}")


@bench_app.command("search")
def bench_search(
    sizes: Annotated[str, typer.Option(help="Comma-separated collection sizes in chunks.")] = "10000,100000",
    queries: Annotated[int, typer.Option(min=1, help="Timed queries per kind and size (at least 1).")] = 200,
    server_uri: Annotated[str | None, typer.Option(help="A Milvus server to measure (default: start a local "
                                                    "Milvus 2.3.5 from the 'milvus' package for the run).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Ingest rate and dense/filtered/hybrid search p50/p95, Milvus Lite vs a Milvus server, one run."""
    from rightsized.eval.bench_search import bench_search as run_bench
    from rightsized.pipelines.app.views import bench_search_table

    size_list = _positive_ints("--sizes", sizes)
    try:
        report = run_bench(sizes=size_list, queries=queries, server_uri=server_uri)
    except RightsizedError as exc:
        raise _fail(exc) from exc
    _show(as_json, lambda: report, lambda: out.print(bench_search_table(report)))


@bench_app.command("serve")
def bench_serve(
    domain: Annotated[str | None, typer.Option("--domain", "-d", help="Domain whose sample corpus makes the "
                                               "requests (default: the first domain).")] = None,
    task: Annotated[str | None, typer.Option(help="Task to call (default: the domain's first).")] = None,
    tag: Annotated[str | None, typer.Option(help="Only gold cases with this tag (e.g. typed).")] = None,
    tiers_: Annotated[list[str] | None, typer.Option("--tier", "-t", help="Tiers to load (default: baseline "
                                                     "and small).")] = None,
    concurrency: Annotated[str, typer.Option(help="Comma-separated client counts.")] = "1,8,32",
    seconds: Annotated[float, typer.Option(min=1, help="Seconds per tier and concurrency.")] = 20.0,
    overhead_rounds: Annotated[int, typer.Option(min=0, help="HTTP vs in-process pairs on the first tier "
                                                 "at concurrency 1 (0: skip).")] = 20,
    soak_seconds: Annotated[float, typer.Option(min=0, help="Soak on the first tier, memory sampled every "
                                                "10 s (0: no soak).")] = 0.0,
    soak_concurrency: Annotated[int, typer.Option(min=1, help="Clients during the soak.")] = 8,
    queue: Annotated[int, typer.Option(min=0, help="The server's queue per tier (--queue of serve).")] = 16,
    config: ConfigOpt = None, set_: SetOpt = None, as_json: JsonOpt = False,
) -> None:
    """`rightsized serve` under load on 127.0.0.1: throughput, p50/p95/p99, rejections and errors per
    tier and concurrency; HTTP overhead over the same executor in-process; memory over a soak."""
    import tempfile

    from rightsized.domains.registry import discover, get_domain
    from rightsized.pipelines.app.serve.executor import Job, TaskExecutor, Upload

    from rightsized.eval.bench_serve import bench_serve as run_bench

    settings = _settings(config, set_)
    levels = _positive_ints("--concurrency", concurrency)
    chosen = tiers_ or ["baseline", "small"]
    try:
        for name in chosen:
            settings.tier(name)
        found = get_domain(domain or next(iter(discover()), ""))
        task_name = found.task(task).name
        with tempfile.TemporaryDirectory(prefix="bench-serve-local-") as local_dir:
            executor = None
            if overhead_rounds:
                local = settings.model_copy(update={"data_dir": Path(local_dir)})
                executor = TaskExecutor(local, {found.name: found}, tiers=chosen[:1])
                executor.load()

            def in_process(tier: str, params: dict[str, Any], uploads: list[tuple[str, str, bytes]]) -> None:
                assert executor is not None
                run = executor.run(Job(found.name, task_name, tier, params, tuple(Upload(*u) for u in uploads)))
                if not run.ok:
                    raise RightsizedError(f"in-process run failed: {run.to_dict()['errors']}")

            try:
                report = run_bench(executable=str(Path(sys.executable).with_name("rightsized")),
                                   serve_options=_passthrough(config, set_),
                                   domain=found, task=task_name, tiers=chosen, concurrency=levels, seconds=seconds,
                                   in_process=in_process if executor else None, overhead_rounds=overhead_rounds,
                                   soak_seconds=soak_seconds, soak_concurrency=soak_concurrency, queue=queue, tag=tag)
            finally:
                if executor is not None:
                    executor.close()
    except RightsizedError as exc:
        raise _fail(exc) from exc
    _show(as_json, lambda: report, lambda: _print_figures(report))


def _positive_ints(option: str, value: str) -> list[int]:
    """A comma-separated option of integers >= 1; exit 2 naming the option otherwise."""
    try:
        numbers = [int(item) for item in value.split(",") if item.strip()]
    except ValueError:
        numbers = []
    if not numbers or min(numbers) < 1:
        raise _fail(ValueError(f"{option} must be comma-separated integers >= 1, got '{value}'"))
    return numbers


def _passthrough(config: Path | None, overrides: list[str] | None) -> list[str]:
    """The user's --config/--set, for a child `rightsized` command."""
    args = ["--config", str(config)] if config else []
    for item in overrides or []:
        args += ["--set", item]
    return args


def main() -> None:  # pragma: no cover - console entry point
    app()
