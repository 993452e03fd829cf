"""The FastAPI app: one `POST /v1/{domain}/{task}` per declared task, derived at start-up.

Nothing here names a domain: routes, request bodies and response schemas come from each task's
input and result models (`schema.py`), so a domain installed later — in this repository or
through the `rightsized.domains` entry point — is served without a line of code of its own.

Order of checks on a task request, each with its documented status: API key (401), known tier
(422), key allowed this domain and tier (403), rate limit (429 + Retry-After), models loaded
(503), body (413 too large, 415 wrong media type, 422 invalid), tier served here (503 with the
reason), the tier's bounded queue (503 + Retry-After). A client that disconnects while queued
cancels its work. Results are what `rightsized run --json` prints for the same input.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.staticfiles import StaticFiles

from rightsized.domains.base import Domain, Task
from rightsized.domains.inputs import file_specs
from rightsized.domains.registry import discover, load_all
from rightsized.domains.results import TaskUsage
from rightsized.pipelines.app.catalog import describe_task
from rightsized.pipelines.app.serve.auth import LOCAL, ApiKey, KeyRing
from rightsized.pipelines.app.serve.backend import Backend, LocalBackend
from rightsized.pipelines.app.serve.executor import Job, Upload
from rightsized.pipelines.app.serve.limits import BodySizeLimit, RateLimited, RateLimiter
from rightsized.pipelines.app.serve.metrics import ServeMetrics
from rightsized.pipelines.app.serve.queue import QueueFull, TierGate
from rightsized.pipelines.app.serve.schema import ErrorBody, shared_components, task_components
from rightsized.pipelines.app.serve.settings import ServeSettings
from rightsized.pipelines.config import Settings
from rightsized.pipelines.errors import ConfigError, TierUnavailableError

API_TITLE = "rightsized"
ERROR_STATUSES = {"401": "No or unknown API key.", "403": "The key may not use this domain or tier, or the "
                  "domain's policy refuses the step on this tier.", "413": "Body or an upload over the limit.",
                  "415": "Wrong media type for this task.", "422": "Invalid input, or the task could not process it.",
                  "429": "Rate limit of the key reached (see Retry-After).", "502": "A model or store backend failed.",
                  "503": "Models still loading, tier not served here, or its queue full (see Retry-After)."}
# A case's recorded error type -> status; any other type: the task could not process this input.
CASE_STATUS = {"PolicyError": 403, "BackendError": 502, "TierUnavailableError": 503}
MAX_FIELD_BYTES = 64 * 1024


class ApiError(Exception):
    def __init__(self, status: int, error: str, message: str, headers: dict[str, str] | None = None) -> None:
        self.status, self.error, self.message, self.headers = status, error, message, headers or {}
        super().__init__(message)


def _error(status: int, error: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(ErrorBody(error=error, message=message).model_dump(), status_code=status, headers=headers)


@dataclass
class Service:
    settings: Settings
    serve: ServeSettings
    keys: KeyRing
    domains: dict[str, Domain]
    backend: Backend
    failed_domains: dict[str, str] = field(default_factory=dict)
    metrics: ServeMetrics = field(default_factory=ServeMetrics)
    gates: dict[str, TierGate] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(self.serve.rate_per_minute)

    def gate(self, tier: str) -> TierGate:
        if tier not in self.gates:
            gate = TierGate(tier, concurrency=self.backend.concurrency(tier), queue_size=self.serve.queue_size,
                            max_wait_s=self.serve.max_wait_s)
            self.metrics.queued.labels(tier).set_function(lambda: gate.waiting)
            self.metrics.running.labels(tier).set_function(lambda: gate.running)
            self.gates[tier] = gate
        return self.gates[tier]


_bearer = HTTPBearer(auto_error=False, description="An API key (only when the server has keys configured).")


def _authenticate(service: Service):  # noqa: ANN202 - a FastAPI dependency
    def dependency(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> ApiKey:
        if not service.keys.enabled:
            return LOCAL
        key = service.keys.identify(credentials.credentials) if credentials else None
        if key is None:
            raise ApiError(401, "unauthorized", "missing or unknown API key: send 'Authorization: Bearer KEY'",
                           {"WWW-Authenticate": "Bearer"})
        return key

    return dependency


async def _disconnected(request: Request) -> None:
    """Returns when the client has gone (the body is read by then, so only a disconnect is left)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def _read_job(request: Request, domain: str, task: Task[Any, Any], tier: str, serve: ServeSettings) -> Job:
    specs = file_specs(task.input_model)
    params_known = [n for n in task.input_model.model_fields if n not in specs]
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    params: dict[str, Any] = {}
    uploads: list[Upload] = []
    if specs:
        if media != "multipart/form-data":
            raise ApiError(415, "unsupported_media_type", f"this task takes files: send multipart/form-data "
                           f"(file inputs: {', '.join(specs)}), not {media or 'no body'}")
        try:
            form = await request.form(max_files=serve.max_files, max_fields=len(params_known) + 16,
                                      max_part_size=MAX_FIELD_BYTES)
        except StarletteHTTPException as exc:
            raise ApiError(422, "invalid_body", f"multipart body: {exc.detail}") from exc
        except ClientDisconnect as exc:
            raise ApiError(400, "client_disconnected", "the connection closed before the body was read") from exc
        async with contextlib.AsyncExitStack() as stack:
            stack.push_async_callback(form.close)
            for name, value in form.multi_items():
                if isinstance(value, UploadFile):
                    data = await value.read(serve.max_upload_bytes + 1)
                    if len(data) > serve.max_upload_bytes:
                        raise ApiError(413, "too_large", f"upload {json.dumps(value.filename)} is larger than "
                                       f"{serve.max_upload_bytes:,} bytes")
                    uploads.append(Upload(name, value.filename or "", data))
                elif name in specs:
                    raise ApiError(422, "invalid_input", f"'{name}' is a file input: upload a file, not a text field")
                elif name in params:
                    raise ApiError(422, "invalid_input", f"parameter '{name}' given twice")
                else:
                    params[name] = value
    else:
        if media not in ("application/json", ""):
            raise ApiError(415, "unsupported_media_type", f"this task takes a JSON body, not {media}")
        try:
            raw = await request.body()
        except ClientDisconnect as exc:  # the client hung up mid-body: was a traceback in the log
            raise ApiError(400, "client_disconnected", "the connection closed before the body was read") from exc
        try:
            body = json.loads(raw) if raw.strip() else {}
        except RecursionError as exc:  # "[[[[...]]]]" deeper than the parser's stack: was a 500
            raise ApiError(422, "invalid_body", "not valid JSON: nested too deeply") from exc
        except ValueError as exc:  # bad JSON, bad UTF-8, an integer of more than 4,300 digits
            raise ApiError(422, "invalid_body", f"not valid JSON: {exc}") from exc
        if not isinstance(body, dict):
            raise ApiError(422, "invalid_body", "expected a JSON object of the task's parameters")
        params = body
    unknown = [n for n in params if n not in params_known]
    if unknown:
        raise ApiError(422, "invalid_input", f"unknown parameter(s) {', '.join(map(json.dumps, unknown))}; "
                       f"parameters: {', '.join(params_known) or 'none'}")
    return Job(domain, task.name, tier, params, tuple(uploads))


def _status(body: dict[str, Any]) -> int:
    if body["results"] or not body["errors"]:
        return 200
    return CASE_STATUS.get(body["errors"][0]["type"], 422)


async def _answer(service: Service, domain: Domain, task: Task[Any, Any], request: Request, key: ApiKey,
                  chosen: str, started: float) -> Response:
    if not key.allows_domain(domain.name):
        raise ApiError(403, "forbidden", f"key '{key.name}' may not use domain '{domain.name}'")
    if not key.allows_tier(chosen):
        raise ApiError(403, "forbidden", f"key '{key.name}' may not use tier '{chosen}'")
    try:
        service.limiter.take(key.name, key.rate_per_minute)
    except RateLimited as exc:
        service.metrics.rejected.labels(chosen, "rate_limit").inc()
        raise ApiError(429, "rate_limited", str(exc), {"Retry-After": str(exc.retry_after_s)}) from exc
    if service.backend.readiness()["status"] != "ready":
        raise ApiError(503, "not_ready", "models are loading; see /readyz", {"Retry-After": "5"})
    job = await _read_job(request, domain.name, task, chosen, service.serve)
    reason = service.backend.served_tiers().get(chosen, "not served by this server")
    if reason is not None:
        raise ApiError(503, "tier_unavailable", f"tier '{chosen}' is unavailable: {reason}")
    body = await _run_queued(service, service.gate(chosen), job, request)
    status = _status(body)
    usages = [TaskUsage.model_validate(r.get("usage") or {}) for r in body["results"]]
    service.metrics.observe(domain.name, task.name, chosen, status, time.perf_counter() - started,
                            usages, [e["type"] for e in body["errors"]])
    if status != 200:  # every case failed: say why, in the one error shape
        failures = "; ".join(f"{e['case']}: {e['type']}: {e['message']}" for e in body["errors"])
        return _error(status, "case_failed", failures)
    return JSONResponse(body, status_code=status)


def _task_endpoint(service: Service, domain: Domain, task: Task[Any, Any], tier_type: Any):  # noqa: ANN202
    auth = _authenticate(service)

    async def endpoint(request: Request, key: ApiKey, tier: str | None = None) -> Response:
        started = time.perf_counter()
        chosen = tier or service.settings.default_tier
        try:
            return await _answer(service, domain, task, request, key, chosen, started)
        except ApiError as exc:  # refusals are counted too, by status
            service.metrics.requests.labels(domain.name, task.name, chosen, str(exc.status)).inc()
            raise

    # Real objects, not the strings `from __future__ import annotations` leaves: FastAPI cannot
    # resolve names local to this function.
    endpoint.__annotations__.update(
        request=Request, key=Annotated[ApiKey, Depends(auth)],
        tier=Annotated[tier_type | None, Query(description="Tier (default: the config's default_tier).")])
    return endpoint


async def _run_queued(service: Service, gate: TierGate, job: Job, request: Request) -> dict[str, Any]:
    metrics = service.metrics

    async def queued() -> dict[str, Any]:
        async with gate.slot():
            started = time.perf_counter()
            try:
                return await service.backend.execute(job)
            finally:
                gate.observe(time.perf_counter() - started)

    try:
        if not service.backend.watch_disconnect:
            return await queued()
        work = asyncio.ensure_future(queued())
        gone = asyncio.ensure_future(_disconnected(request))
        done, _ = await asyncio.wait({work, gone}, return_when=asyncio.FIRST_COMPLETED)
        if work in done:
            gone.cancel()
            return work.result()
        work.cancel()  # a queued job leaves the queue; a running case finishes in its thread first
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await work
        metrics.rejected.labels(gate.tier, "client_gone").inc()
        raise ApiError(499, "client_closed", "the client closed the connection")
    except QueueFull as exc:
        metrics.rejected.labels(gate.tier, "queue_full").inc()
        raise ApiError(503, "queue_full", str(exc), {"Retry-After": str(exc.retry_after_s)}) from exc
    except ConfigError as exc:
        raise ApiError(422, "invalid_input", str(exc)) from exc
    except TierUnavailableError as exc:
        raise ApiError(503, "tier_unavailable", str(exc)) from exc


def _openapi(app: FastAPI, extra: dict[str, Any]) -> dict[str, Any]:
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(extra)
        schema["components"]["schemas"] = dict(sorted(components.items()))
        app.openapi_schema = schema
    return app.openapi_schema


def create_app(service: Service) -> FastAPI:
    """The app for `service`; models load in the background from the app's start-up."""

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        service.backend.start()
        try:
            yield
        finally:
            await asyncio.to_thread(service.backend.stop)

    app = FastAPI(title=API_TITLE, version="1", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Every declared domain task behind one API. Task endpoints are derived from the "
                              "domains' task declarations; results equal `rightsized run --json`.")
    app.add_middleware(BodySizeLimit, limit=service.serve.max_request_bytes)
    extra = shared_components()
    tiers = tuple(service.settings.tiers)
    tier_type = Literal[tiers]  # type: ignore[valid-type]
    errors = {code: {"description": text, "model": ErrorBody} for code, text in ERROR_STATUSES.items()}
    for domain in service.domains.values():
        for task in domain.tasks:
            components, request_body, response_ref = task_components(domain.name, task)
            extra.update(components)
            app.add_api_route(
                f"/v1/{domain.name}/{task.name}", _task_endpoint(service, domain, task, tier_type), methods=["POST"],
                operation_id=f"{domain.name}.{task.name}", tags=[domain.name], summary=task.description,
                description=f"{domain.description}\n\n{task.description}", responses=errors,
                openapi_extra={"requestBody": request_body, "responses": {
                    "200": {"description": "The task's result (a batch of case folders: one result per case)",
                            "content": {"application/json": {"schema": {"$ref": response_ref}}}}}})
    app.openapi = lambda: _openapi(app, extra)  # type: ignore[method-assign]
    _add_service_routes(app, service)
    _add_docs(app)
    _add_handlers(app)
    return app


def _add_service_routes(app: FastAPI, service: Service) -> None:
    auth = _authenticate(service)
    key_dependency = Annotated[ApiKey, Depends(auth)]
    unauthorized = {"401": {"description": ERROR_STATUSES["401"], "model": ErrorBody}}

    def list_domains(key: ApiKey) -> list[dict[str, Any]]:
        """Domains this key may use, their tasks (endpoint, files, parameters, metrics), and domains that
        failed to load with their error."""
        listed: list[dict[str, Any]] = [
            {"domain": d.name, "description": d.description, "sensitive": d.sensitive,
             "external_policy": d.external_policy,
             "tasks": [{**describe_task(t), "endpoint": f"/v1/{d.name}/{t.name}"} for t in d.tasks]}
            for d in service.domains.values() if key.allows_domain(d.name)]
        listed += [{"domain": n, "error": e} for n, e in service.failed_domains.items() if key.allows_domain(n)]
        return listed

    async def list_tiers(key: ApiKey) -> list[dict[str, Any]]:
        """Every tier this key may use: whether it can run here, and why not; whether this server serves it."""
        from rightsized.pipelines.runtime import Workspace

        statuses = await asyncio.to_thread(Workspace(service.settings, domain="_").statuses)
        served = service.backend.served_tiers()
        return [{**s.__dict__, "external": service.settings.tier(s.name).external,
                 "served": s.name in served and served[s.name] is None}
                for s in statuses if key.allows_tier(s.name)]

    for path, function in (("/v1/domains", list_domains), ("/v1/tiers", list_tiers)):
        function.__annotations__["key"] = key_dependency  # a local name: see `_task_endpoint`
        app.add_api_route(path, function, methods=["GET"], tags=["service"], responses=unauthorized)

    @app.get("/healthz", tags=["service"])
    def healthz() -> dict[str, str]:
        """The process answers (models may still be loading: see /readyz)."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["service"], responses={"503": {"description": "Loading or failed."}})
    def readyz() -> JSONResponse:
        """Ready only when every served tier's models are loaded and its store answered real retrievals
        (their p50, measured here, is in the body)."""
        body = service.backend.readiness()
        return JSONResponse(body, status_code=200 if body["status"] == "ready" else 503)

    @app.get("/metrics", tags=["service"], response_class=Response,
             responses={"200": {"content": {"text/plain": {"schema": {"type": "string"}}}}})
    def metrics() -> Response:
        """Prometheus text format: requests, latency histograms, tokens and errors per domain/task/tier."""
        return Response(service.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")


def _add_docs(app: FastAPI) -> None:
    """Swagger UI 5 (it renders OpenAPI 3.1; 4.x does not) from the `swagger-ui-py` package's
    static files, served by the app: no CDN, works offline."""
    import swagger_ui

    assets = Path(swagger_ui.__file__).parent / "static"
    app.mount("/docs/assets", StaticFiles(directory=assets), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{API_TITLE} API",
                                   swagger_js_url="/docs/assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs/assets/swagger-ui.css",
                                   swagger_favicon_url="/docs/assets/favicon-32x32.png",
                                   swagger_ui_parameters={"validatorUrl": None})


def _add_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.error, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return _error(422, "invalid_input", problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, "http_error", str(exc.detail), dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def internal(_: Request, exc: Exception) -> JSONResponse:
        """Any other failure: the error body every answer has, never a plain-text page (the
        traceback goes to the server log, not to the client)."""
        return _error(500, "internal_error", f"internal error ({type(exc).__name__}); see the server log")


def installed_domains(*, shipped_only: bool = False) -> tuple[dict[str, Domain], dict[str, str]]:
    """(domains that load, name -> error of those that fail); `shipped_only`: this package's own,
    without entry-point plugins (what the committed schema describes)."""
    loaded, failed = load_all()
    if shipped_only:
        entries = discover()
        keep = {n for n, e in entries.items() if e.target.startswith("rightsized.domains.")}
        loaded = {n: d for n, d in loaded.items() if n in keep}
        failed = {n: e for n, e in failed.items() if n in keep}
    return loaded, {n: e.cause for n, e in failed.items()}


def local_app(settings: Settings, serve: ServeSettings, keys: KeyRing | None = None, *,
              domains: dict[str, Domain] | None = None, failed: dict[str, str] | None = None) -> FastAPI:
    """The single-process server's app: every installed domain, tiers run in worker threads."""
    if domains is None:
        domains, failed = installed_domains()
        if serve.domains:
            unknown = sorted(set(serve.domains) - set(domains) - set(failed or {}))
            if unknown:
                raise ConfigError(f"unknown domain(s) {', '.join(unknown)}; installed: {', '.join(domains)}")
            domains = {n: d for n, d in domains.items() if n in serve.domains}
            failed = {n: e for n, e in (failed or {}).items() if n in serve.domains}
    backend = LocalBackend(settings, domains, tiers=list(serve.tiers) or None,
                           default_concurrency=serve.concurrency, upload_dir=serve.upload_dir)
    return create_app(Service(settings, serve, keys or KeyRing(), domains, backend, failed or {}))


def openapi_document(settings: Settings) -> dict[str, Any]:
    """The schema of the shipped domains under `settings` (committed as `openapi.json`)."""
    domains, failed = installed_domains(shipped_only=True)
    return local_app(settings, ServeSettings(), domains=domains, failed=failed).openapi()
