"""An in-test HTTP server that follows Pinecone's published REST API (API version 2026-07).

This is a FAKE. It exists only because no Pinecone service can be reached from this
environment, and our Pinecone adapter must still be exercised through the real `pinecone`
SDK over real HTTP. Everything it does is taken from Pinecone's published material — the
2026-07 OpenAPI specs in pinecone-io/pinecone-api (``db_data_2026-07.oas.yaml``,
``db_control_2026-07.oas.yaml``), the operation-limits and metadata-filtering docs, and what
SDK 10.2.0 sends and parses — so that a test passing here means the adapter speaks the
published protocol, not a private dialect of this file.

What it serves: the vectors data plane (upsert, query, fetch, list, delete,
describe_index_stats) of ONE index, plus the two control-plane calls the adapter uses
(describe and create index). Every index created through ``POST /indexes`` is served by this
same data plane, so create one index per ``FakePinecone``.

Where it knowingly differs from the real service (each difference is forced, not chosen):

* ``host`` in an index description carries ``http://``. The real API returns a bare host and the
  SDK prefixes ``https://`` to a bare host, which a plain-HTTP test server cannot answer.
* ``dimension=None`` adopts the dimension of the first upserted vector, so tests that do not
  care about the dimension need not state one; a real index always has a dimension.
* ``usage.readUnits`` is a nominal 1: read-unit accounting is not published precisely enough
  to reproduce.
* Document-API schemas, pod/BYOC deployments and sparse-only indexes are refused at create
  with a message naming this fake, rather than half-served.
"""
from __future__ import annotations

import base64
import binascii
import json
import math
import re
import struct
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

# Limits from the 2026-07 data-plane spec and the "Operation limits" page.
_MAX_UPSERT_VECTORS = 1000
_MAX_REQUEST_BYTES = 2 * 1024 * 1024
_MAX_METADATA_BYTES = 40 * 1024
_MAX_TOP_K = 10_000
_MAX_DIMENSION = 20_000
_MAX_SPARSE_ENTRIES = 2048
_MAX_SPARSE_INDEX = 2**32 - 1
_MAX_ID_LENGTH = 512
_MAX_IDS_PER_REQUEST = 1000
_LIST_LIMIT_MAX = 100
# The spec rejects a dense vector "whose values are all smaller than" this as all zeros.
_ZERO_MAGNITUDE = 1e-8

_METRICS = frozenset({"cosine", "euclidean", "dotproduct"})
# Reserved schema field names the 2026-07 vectors API addresses dense and sparse values by.
_DENSE_FIELD = "_values"
_SPARSE_FIELD = "_sparse_values"
_DEFAULT_NAMESPACE = "__default__"
_INDEX_NAME = re.compile(r"[a-z0-9-]{1,45}")
_VECTOR_ID = re.compile(rf"[\x01-\x7f]{{1,{_MAX_ID_LENGTH}}}")

# HTTP status -> (gRPC code used in the data plane's rpcStatus, code name used in the control
# plane's ErrorResponse). The data plane answers errors as {"code": int, "message", "details"}.
_ERROR_CODES: dict[int, tuple[int, str]] = {
    400: (3, "INVALID_ARGUMENT"),
    403: (7, "FORBIDDEN"),
    404: (5, "NOT_FOUND"),
    409: (6, "ALREADY_EXISTS"),
    412: (9, "FAILED_PRECONDITION"),
    422: (3, "UNPROCESSABLE_ENTITY"),
    429: (8, "RESOURCE_EXHAUSTED"),
    500: (13, "UNKNOWN"),
    502: (14, "SERVICE_UNAVAILABLE"),
    503: (14, "SERVICE_UNAVAILABLE"),
    504: (4, "DEADLINE_EXCEEDED"),
}

_Predicate = Callable[[dict[str, Any]], bool]


class _ApiError(Exception):
    """An error response, raised from deep inside a handler and rendered in one place."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class _Request:
    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes


@dataclass
class _Response:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str]


@dataclass
class _IndexConfig:
    """What the served index accepts; set by the constructor, replaced by ``POST /indexes``."""

    dimension: int | None
    metric: str
    sparse: bool


@dataclass
class _Failure:
    status: int
    path: str | None
    retry_after: float | None


def _f32(value: float) -> float:
    """Round to float32: Pinecone stores and scores vector components as float32."""
    return float(struct.unpack("f", struct.pack("f", value))[0])


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _same(stored: Any, wanted: Any) -> bool:
    """Equality that keeps booleans apart from numbers (Python treats True == 1)."""
    return isinstance(stored, bool) == isinstance(wanted, bool) and stored == wanted


def _contains(stored: Any, wanted: Any) -> bool:
    """A list-valued metadata field matches when any element matches (Pinecone's array rule)."""
    if isinstance(stored, list):
        return any(_same(element, wanted) for element in stored)
    return _same(stored, wanted)


def _is_filter_scalar(value: Any) -> bool:
    return isinstance(value, (str, bool)) or _is_number(value)


def _compile_filter(expression: Any) -> _Predicate:
    """Validate a metadata filter and turn it into a predicate over a record's metadata.

    Validating everything up front means a malformed filter is a 400 even when the namespace
    is empty, as it is on the service. Semantics follow Pinecone's MongoDB-derived language: a
    missing field never matches $eq/$in/comparisons and always matches $ne/$nin.
    """
    if not isinstance(expression, dict):
        raise _ApiError(400, "The filter must be a JSON object.")
    clauses: list[_Predicate] = []
    for key, condition in expression.items():
        if key in ("$and", "$or"):
            if not isinstance(condition, list) or not condition:
                raise _ApiError(400, f"{key} must be a non-empty array of filter objects.")
            parts = [_compile_filter(part) for part in condition]
            if key == "$and":
                clauses.append(lambda metadata, ps=parts: all(p(metadata) for p in ps))
            else:
                clauses.append(lambda metadata, ps=parts: any(p(metadata) for p in ps))
        elif key.startswith("$"):
            raise _ApiError(400, f"Unsupported top-level filter operator: {key}.")
        else:
            clauses.append(_compile_field(key, condition))
    return lambda metadata: all(clause(metadata) for clause in clauses)


def _compile_field(field: str, condition: Any) -> _Predicate:
    # {"genre": "drama"} is documented shorthand for {"genre": {"$eq": "drama"}}.
    operators = condition if isinstance(condition, dict) else {"$eq": condition}
    if not operators:
        raise _ApiError(400, f"The filter for field '{field}' is empty.")
    predicates = [_compile_operator(field, op, operand) for op, operand in operators.items()]
    return lambda metadata: all(p(metadata) for p in predicates)


def _compile_operator(field: str, op: str, operand: Any) -> _Predicate:
    if op in ("$eq", "$ne"):
        if not _is_filter_scalar(operand):
            raise _ApiError(400, f"{op} operand for '{field}' must be a string, number or boolean.")

        def equal(metadata: dict[str, Any]) -> bool:
            return field in metadata and _contains(metadata[field], operand)

        return equal if op == "$eq" else (lambda metadata: not equal(metadata))
    if op in ("$in", "$nin"):
        if not isinstance(operand, list) or not all(_is_filter_scalar(v) for v in operand):
            raise _ApiError(400, f"{op} operand for '{field}' must be an array of scalars.")

        def member(metadata: dict[str, Any]) -> bool:
            return field in metadata and any(_contains(metadata[field], v) for v in operand)

        return member if op == "$in" else (lambda metadata: not member(metadata))
    if op in ("$gt", "$gte", "$lt", "$lte"):
        if not _is_number(operand):
            raise _ApiError(400, f"{op} operand for '{field}' must be a number.")
        compare: Callable[[float, float], bool] = {
            "$gt": lambda a, b: a > b,
            "$gte": lambda a, b: a >= b,
            "$lt": lambda a, b: a < b,
            "$lte": lambda a, b: a <= b,
        }[op]
        return lambda metadata: _is_number(metadata.get(field)) and compare(metadata[field], operand)
    if op == "$exists":
        if not isinstance(operand, bool):
            raise _ApiError(400, f"$exists operand for '{field}' must be a boolean.")
        return lambda metadata: (field in metadata) == operand
    raise _ApiError(400, f"Unsupported filter operator: {op}.")


def _dot(left: list[float], right: list[float]) -> float:
    return math.fsum(a * b for a, b in zip(left, right, strict=True))


def _sparse_dot(left: dict[str, list[Any]], right: dict[str, list[Any]]) -> float:
    weights = dict(zip(left["indices"], left["values"], strict=True))
    return math.fsum(weights.get(i, 0.0) * v for i, v in zip(right["indices"], right["values"], strict=True))


def _parse_dense(raw: Any, what: str) -> list[float]:
    if not isinstance(raw, list) or not raw or not all(_is_number(v) for v in raw):
        raise _ApiError(400, f"{what} must be a non-empty array of numbers.")
    if len(raw) > _MAX_DIMENSION:
        raise _ApiError(400, f"{what} has {len(raw)} values; the maximum dimension is {_MAX_DIMENSION}.")
    return [_f32(float(v)) for v in raw]


def _parse_sparse(raw: Any, what: str) -> dict[str, list[Any]]:
    if not isinstance(raw, dict):
        raise _ApiError(400, f"{what} must be an object with 'indices' and 'values'.")
    indices, values = raw.get("indices"), raw.get("values")
    if not isinstance(indices, list) or not isinstance(values, list):
        raise _ApiError(400, f"{what} must carry 'indices' and 'values' arrays.")
    if len(indices) != len(values):
        raise _ApiError(
            400,
            f"{what}: sparse indices and values must have the same length, "
            f"got {len(indices)} indices and {len(values)} values.",
        )
    if not 1 <= len(indices) <= _MAX_SPARSE_ENTRIES:
        raise _ApiError(400, f"{what} must have between 1 and {_MAX_SPARSE_ENTRIES} entries.")
    if not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i <= _MAX_SPARSE_INDEX for i in indices):
        raise _ApiError(400, f"{what}: sparse indices must be integers in [0, {_MAX_SPARSE_INDEX}].")
    if len(set(indices)) != len(indices):
        raise _ApiError(400, f"{what}: sparse indices must be unique.")
    if not all(_is_number(v) for v in values):
        raise _ApiError(400, f"{what}: sparse values must be numbers.")
    return {"indices": list(indices), "values": [_f32(float(v)) for v in values]}


def _clean_metadata(raw: Any, vector_id: str) -> dict[str, Any]:
    """Apply the service's metadata rules and return what it would store.

    Nulls are stripped rather than refused (the SDK documents this as the server's
    behaviour) and numbers come back as 64-bit floats, as the metadata docs say.
    """
    if not isinstance(raw, dict):
        raise _ApiError(400, f"Metadata of vector '{vector_id}' must be a JSON object.")
    cleaned: dict[str, Any] = {}
    for key, value in raw.items():
        if key.startswith("$"):
            raise _ApiError(400, f"Metadata field names may not begin with '$': '{key}'.")
        if value is None:
            continue
        if isinstance(value, (str, bool)):
            cleaned[key] = value
        elif _is_number(value):
            cleaned[key] = float(value)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            cleaned[key] = list(value)
        else:
            raise _ApiError(400, "Metadata value must be a string, number, boolean or list of strings")
    size = len(json.dumps(cleaned, separators=(",", ":")).encode())
    if size > _MAX_METADATA_BYTES:
        raise _ApiError(
            400,
            f"Metadata size is {size} bytes, which exceeds the limit of {_MAX_METADATA_BYTES} bytes per vector",
        )
    return cleaned


def _namespace(raw: Any) -> str:
    """Normalize a namespace; ``__default__`` and an omitted namespace are the same one."""
    if raw is None or raw == _DEFAULT_NAMESPACE:
        return ""
    if not isinstance(raw, str):
        raise _ApiError(400, "namespace must be a string.")
    return raw


def _require_vector_id(raw: Any, what: str) -> str:
    if not isinstance(raw, str) or not _VECTOR_ID.fullmatch(raw):
        raise _ApiError(400, f"{what} must be 1-{_MAX_ID_LENGTH} ASCII characters without NUL.")
    return raw


def _json_object(request: _Request) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _ApiError(400, f"Request body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise _ApiError(400, "Request body must be a JSON object.")
    return body


def _is_control_plane(path: str) -> bool:
    return path == "/indexes" or path.startswith("/indexes/")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Keep-alive connections from the SDK's pool must not make stop() wait for the client.
    block_on_close = False

    def __init__(self, fake: FakePinecone) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client dropping its pooled keep-alive connection is routine, not a server fault."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """Thin HTTP shell: reads the whole request, lets FakePinecone answer, writes the reply."""

    protocol_version = "HTTP/1.1"
    # Buffer the reply so status, headers and body leave in one segment; written piecemeal,
    # Nagle plus the client's delayed ACK cost ~40 ms per request.
    wbufsize = -1
    server: _Server

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: the request log on FakePinecone is the record tests read."""

    def _dispatch(self, method: str) -> None:
        # Always drain the body, even for requests we reject, so keep-alive stays in sync.
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        request = _Request(method, split.path, parse_qs(split.query, keep_blank_values=True), body)
        response = self.server.fake._respond(
            request, self.headers.get("Api-Key"), self.headers.get("X-Pinecone-Api-Version")
        )
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)


class FakePinecone:
    """In-test HTTP server following Pinecone's published REST API (data plane + describe/create index).
    Labelled as a fake: used only because no Pinecone service can run here."""

    def __init__(
        self,
        *,
        api_key: str = "test-key",
        dimension: int | None = None,
        metric: str = "dotproduct",
        sparse: bool | None = None,
    ) -> None:
        """Configure the served index.

        ``sparse`` says whether the index declares the reserved ``_sparse_values`` field: in API
        2026-07 an index without it refuses sparse upserts. ``None`` means "a hybrid index
        exactly when the metric is dotproduct", the only metric sparse queries are scored with.
        """
        if metric not in _METRICS:
            raise ValueError(f"metric must be one of {sorted(_METRICS)}, got {metric!r}")
        self._api_key = api_key
        hybrid = metric == "dotproduct" if sparse is None else sparse
        self._config = _IndexConfig(dimension=dimension, metric=metric, sparse=hybrid)
        self._lock = threading.Lock()
        self._failures: list[_Failure] = []
        self._indexes: dict[str, dict[str, Any]] = {}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""
        self.requests: list[tuple[str, str]] = []
        # X-Pinecone-Api-Version of each request, aligned with `requests` (None when absent).
        self.api_versions: list[str | None] = []
        self.namespaces: dict[str, dict[str, dict[str, Any]]] = {}

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakePinecone:
        self._server = _Server(self)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        # A short poll interval keeps stop() (which waits for one poll) from adding 0.5 s per test.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name="fake-pinecone", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._server = None
        self._thread = None

    def __enter__(self) -> FakePinecone:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- fault injection ---------------------------------------------------------------------

    def fail_next(
        self, count: int, status: int = 429, *, path: str | None = None, retry_after: float | None = None
    ) -> None:
        """Answer the next ``count`` requests (to ``path`` only, if given) with ``status``.

        The failing requests do not reach the handler, so they change no state. ``retry_after``
        adds a ``Retry-After`` header, which the SDK honours; ``retry_after=0`` lets tests watch
        the SDK's own retries without its 0.25 s+ backoff sleeps.
        """
        with self._lock:
            self._failures.extend(_Failure(status, path, retry_after) for _ in range(count))

    # -- request handling --------------------------------------------------------------------

    def _respond(self, request: _Request, api_key: str | None, api_version: str | None) -> _Response:
        with self._lock:
            self.requests.append((request.method, request.path))
            self.api_versions.append(api_version)
            if api_key != self._api_key:
                # The published 401 is plain text, produced before the request reaches the index.
                return _Response(401, b"Unauthorized", "text/plain", {})
            failure = next((f for f in self._failures if f.path in (None, request.path)), None)
            if failure is not None:
                self._failures.remove(failure)
                headers = {} if failure.retry_after is None else {"Retry-After": f"{failure.retry_after:g}"}
                return self._error(request.path, failure.status, "Injected failure (FakePinecone.fail_next).", headers)
            try:
                status, payload = self._route(request)
            except _ApiError as exc:
                return self._error(request.path, exc.status, exc.message, {})
            return _Response(status, json.dumps(payload).encode(), "application/json", {})

    def _error(self, path: str, status: int, message: str, headers: dict[str, str]) -> _Response:
        """Render an error in the published shape: rpcStatus (data) or ErrorResponse (control)."""
        grpc_code, name = _ERROR_CODES.get(status, (2, "UNKNOWN"))
        if _is_control_plane(path):
            payload: dict[str, Any] = {"error": {"code": name, "message": message}, "status": status}
        else:
            payload = {"code": grpc_code, "message": message, "details": []}
        return _Response(status, json.dumps(payload).encode(), "application/json", headers)

    def _route(self, request: _Request) -> tuple[int, Any]:
        routes: dict[tuple[str, str], Callable[[_Request], tuple[int, Any]]] = {
            ("POST", "/vectors/upsert"): self._upsert,
            ("POST", "/query"): self._query,
            ("GET", "/vectors/fetch"): self._fetch,
            ("GET", "/vectors/list"): self._list,
            ("POST", "/vectors/delete"): self._delete,
            ("POST", "/describe_index_stats"): self._describe_index_stats,
            ("POST", "/indexes"): self._create_index,
        }
        handler = routes.get((request.method, request.path))
        if handler is not None:
            return handler(request)
        name = request.path.removeprefix("/indexes/")
        if request.method == "GET" and name != request.path and name and "/" not in name:
            return self._describe_index(unquote(name))
        raise _ApiError(404, f"No route for {request.method} {request.path}.")

    # -- data plane --------------------------------------------------------------------------

    def _upsert(self, request: _Request) -> tuple[int, Any]:
        if len(request.body) > _MAX_REQUEST_BYTES:
            raise _ApiError(
                400, f"Request size {len(request.body)} bytes exceeds the maximum supported size of 2 MB."
            )
        body = _json_object(request)
        vectors = body.get("vectors")
        if not isinstance(vectors, list) or not vectors:
            raise _ApiError(400, "vectors must be a non-empty array.")
        if len(vectors) > _MAX_UPSERT_VECTORS:
            raise _ApiError(400, f"Upsert of {len(vectors)} vectors exceeds the limit of {_MAX_UPSERT_VECTORS}.")
        namespace = _namespace(body.get("namespace"))
        dimension = self._config.dimension
        if dimension is None and isinstance(vectors[0], dict) and isinstance(vectors[0].get("values"), list):
            dimension = len(vectors[0]["values"])
        # The whole batch is validated before anything is written: a 400 stores nothing.
        records = [self._record(raw, dimension) for raw in vectors]
        self._config.dimension = dimension
        store = self.namespaces.setdefault(namespace, {})
        for record in records:
            store[record["id"]] = record
        return 200, {"upsertedCount": len(records)}

    def _record(self, raw: Any, dimension: int | None) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise _ApiError(400, "Each vector must be a JSON object.")
        vector_id = _require_vector_id(raw.get("id"), "Vector id")
        values = _parse_dense(raw.get("values"), f"Values of vector '{vector_id}'")
        if len(values) != dimension:
            raise _ApiError(
                400, f"Vector dimension {len(values)} does not match the dimension of the index {dimension}"
            )
        if all(abs(v) < _ZERO_MAGNITUDE for v in values):
            raise _ApiError(
                400,
                f"Dense vectors must contain at least one non-zero value. Vector ID '{vector_id}' contains only zeros",
            )
        record: dict[str, Any] = {"id": vector_id, "values": values}
        if raw.get("sparseValues") is not None:
            if not self._config.sparse:
                raise _ApiError(400, "Index configuration does not support sparse values")
            record["sparseValues"] = _parse_sparse(raw["sparseValues"], f"sparseValues of vector '{vector_id}'")
        if raw.get("metadata") is not None:
            metadata = _clean_metadata(raw["metadata"], vector_id)
            if metadata:
                record["metadata"] = metadata
        return record

    def _query(self, request: _Request) -> tuple[int, Any]:
        body = _json_object(request)
        top_k = body.get("topK")
        if not isinstance(top_k, int) or isinstance(top_k, bool) or not 1 <= top_k <= _MAX_TOP_K:
            raise _ApiError(400, f"topK must be an integer between 1 and {_MAX_TOP_K}.")
        namespace = _namespace(body.get("namespace"))
        store = self.namespaces.get(namespace, {})
        has_id, has_dense, has_sparse = (body.get(k) is not None for k in ("id", "vector", "sparseVector"))
        if has_id and (has_dense or has_sparse):
            raise _ApiError(400, "A query naming 'id' may not also carry 'vector' or 'sparseVector'.")
        if not (has_id or has_dense or has_sparse):
            raise _ApiError(400, "A query needs one of 'vector', 'sparseVector' or 'id'.")
        dense: list[float] | None = None
        sparse: dict[str, list[Any]] | None = None
        if has_dense:
            dense = _parse_dense(body["vector"], "Query vector")
            if self._config.dimension is not None and len(dense) != self._config.dimension:
                raise _ApiError(
                    400,
                    f"Query vector dimension {len(dense)} does not match the dimension of the index "
                    f"{self._config.dimension}",
                )
        if has_sparse:
            if self._config.metric != "dotproduct":
                # Published limitation: sparse values upsert on other metrics, but querying errors.
                raise _ApiError(400, "Sparse queries are only supported on indexes with the dotproduct metric.")
            if not self._config.sparse:
                raise _ApiError(400, "Index configuration does not support sparse values")
            sparse = _parse_sparse(body["sparseVector"], "sparseVector")
        matches_filter = _compile_filter(body["filter"]) if body.get("filter") is not None else None
        if has_id:
            anchor = store.get(_require_vector_id(body["id"], "id"))
            if anchor is None:
                return 200, {"matches": [], "namespace": namespace, "usage": {"readUnits": 1}}
            dense = anchor["values"]
        candidates = [
            r for r in store.values() if matches_filter is None or matches_filter(r.get("metadata", {}))
        ]
        scored = [(self._score(dense, sparse, r), r) for r in candidates]
        # Euclidean scores are (squared) distances: lower is more similar.
        ascending = self._config.metric == "euclidean"
        scored.sort(key=lambda pair: (pair[0] if ascending else -pair[0], pair[1]["id"]))
        matches = [
            self._match(record, score, body.get("includeValues") is True, body.get("includeMetadata") is True)
            for score, record in scored[:top_k]
        ]
        return 200, {"matches": matches, "namespace": namespace, "usage": {"readUnits": 1}}

    def _score(self, dense: list[float] | None, sparse: dict[str, list[Any]] | None, record: dict[str, Any]) -> float:
        """Score one record the way the index metric says.

        dotproduct adds the dense and the sparse inner products (hybrid scoring); cosine is the
        cosine of the dense parts; euclidean is the squared Euclidean distance, which is what
        Pinecone reports for that metric.
        """
        metric = self._config.metric
        score = 0.0
        if dense is not None:
            if metric == "dotproduct":
                score = _dot(dense, record["values"])
            elif metric == "cosine":
                norms = math.sqrt(_dot(dense, dense)) * math.sqrt(_dot(record["values"], record["values"]))
                score = _dot(dense, record["values"]) / norms if norms else 0.0
            else:
                score = math.fsum((a - b) ** 2 for a, b in zip(dense, record["values"], strict=True))
        if sparse is not None and "sparseValues" in record:
            score += _sparse_dot(record["sparseValues"], sparse)
        return _f32(score)

    @staticmethod
    def _match(record: dict[str, Any], score: float, include_values: bool, include_metadata: bool) -> dict[str, Any]:
        # Per the spec, values is an empty array whenever values were not requested.
        match: dict[str, Any] = {"id": record["id"], "score": score, "values": []}
        if include_values:
            match["values"] = record["values"]
            if "sparseValues" in record:
                match["sparseValues"] = record["sparseValues"]
        if include_metadata and "metadata" in record:
            match["metadata"] = record["metadata"]
        return match

    def _fetch(self, request: _Request) -> tuple[int, Any]:
        ids = request.query.get("ids", [])
        if not 1 <= len(ids) <= _MAX_IDS_PER_REQUEST:
            raise _ApiError(400, f"Fetch needs between 1 and {_MAX_IDS_PER_REQUEST} ids.")
        for vector_id in ids:
            _require_vector_id(vector_id, "ids")
        namespace = _namespace(request.query.get("namespace", [None])[0])
        store = self.namespaces.get(namespace, {})
        found = {vector_id: store[vector_id] for vector_id in ids if vector_id in store}
        return 200, {"vectors": found, "namespace": namespace, "usage": {"readUnits": 1}}

    def _list(self, request: _Request) -> tuple[int, Any]:
        namespace = _namespace(request.query.get("namespace", [None])[0])
        prefix = request.query.get("prefix", [""])[0]
        raw_limit = request.query.get("limit", [str(_LIST_LIMIT_MAX)])[0]
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= _LIST_LIMIT_MAX:
            raise _ApiError(400, f"limit must be an integer between 1 and {_LIST_LIMIT_MAX}.")
        limit = int(raw_limit)
        # IDs come back in bitwise ("C") order; IDs are ASCII, so str order is byte order.
        ids = sorted(i for i in self.namespaces.get(namespace, {}) if i.startswith(prefix))
        token = request.query.get("paginationToken", [None])[0]
        if token is not None:
            try:
                after = base64.urlsafe_b64decode(token.encode()).decode()
            except (binascii.Error, UnicodeDecodeError) as exc:
                raise _ApiError(400, "Invalid pagination token.") from exc
            ids = [i for i in ids if i > after]
        page = ids[:limit]
        response: dict[str, Any] = {"vectors": [{"id": i} for i in page], "namespace": namespace,
                                    "usage": {"readUnits": 1}}
        if len(ids) > limit:
            # The published contract: pagination.next is present exactly when more IDs remain.
            response["pagination"] = {"next": base64.urlsafe_b64encode(page[-1].encode()).decode()}
        return 200, response

    def _delete(self, request: _Request) -> tuple[int, Any]:
        body = _json_object(request)
        namespace = _namespace(body.get("namespace"))
        ids, delete_all, expression = body.get("ids"), body.get("deleteAll") is True, body.get("filter")
        if delete_all and (ids is not None or expression is not None):
            raise _ApiError(400, "deleteAll cannot be combined with ids or filter.")
        store = self.namespaces.get(namespace, {})
        if expression is not None:
            if expression == {}:
                raise _ApiError(400, "Delete with empty metadata filter is not allowed")
            # Serverless deletes by metadata (2026-07 spec, current docs); a filter wins over ids.
            matches_filter = _compile_filter(expression)
            doomed = [i for i, r in store.items() if matches_filter(r.get("metadata", {}))]
        elif delete_all:
            doomed = list(store)
        elif isinstance(ids, list) and 1 <= len(ids) <= _MAX_IDS_PER_REQUEST:
            doomed = [_require_vector_id(i, "ids") for i in ids]
        else:
            raise _ApiError(400, f"Delete needs ids (1-{_MAX_IDS_PER_REQUEST}), deleteAll or a filter.")
        for vector_id in doomed:
            store.pop(vector_id, None)
        if not store:
            # Serverless namespaces exist only while they hold records.
            self.namespaces.pop(namespace, None)
        return 200, {}

    def _describe_index_stats(self, request: _Request) -> tuple[int, Any]:
        if _json_object(request).get("filter"):
            raise _ApiError(
                400, "Serverless and starter indexes do not support describing index stats with metadata filtering."
            )
        counts = {ns: {"vectorCount": len(records)} for ns, records in self.namespaces.items() if records}
        stats: dict[str, Any] = {
            "namespaces": counts,
            "indexFullness": 0.0,
            "totalVectorCount": sum(c["vectorCount"] for c in counts.values()),
            "metric": self._config.metric,
            "vectorType": "dense",
        }
        if self._config.dimension is not None:
            stats["dimension"] = self._config.dimension
        return 200, stats

    # -- control plane -----------------------------------------------------------------------

    def _describe_index(self, name: str) -> tuple[int, Any]:
        model = self._indexes.get(name)
        if model is None:
            raise _ApiError(404, f"Index {name} not found.")
        return 200, model

    def _create_index(self, request: _Request) -> tuple[int, Any]:
        try:
            body = _json_object(request)
        except _ApiError as exc:
            raise _ApiError(422, f"Failed to deserialize the JSON body into the target type: {exc.message}") from exc
        name = body.get("name", f"index-{len(self._indexes) + 1}")
        if not isinstance(name, str) or not _INDEX_NAME.fullmatch(name):
            raise _ApiError(400, "Index name must be 1-45 lowercase alphanumeric characters or hyphens.")
        if name in self._indexes:
            raise _ApiError(409, "Resource already exists.")
        config, schema = self._index_config(body.get("schema"))
        deployment = body.get("deployment") or {"deployment_type": "managed", "cloud": "aws", "region": "us-east-1"}
        if not isinstance(deployment, dict) or deployment.get("deployment_type") != "managed":
            raise _ApiError(400, "FakePinecone serves only managed (serverless) deployments.")
        if not all(isinstance(deployment.get(key), str) for key in ("cloud", "region")):
            raise _ApiError(
                422, "Failed to deserialize the JSON body into the target type: deployment needs cloud and region"
            )
        model = {
            "name": name,
            "host": self.url,
            "status": {"ready": True, "state": "Ready"},
            "schema": schema,
            "deployment": {"deployment_type": "managed", "cloud": deployment["cloud"], "region": deployment["region"]},
            "deletion_protection": body.get("deletion_protection", "disabled"),
            "read_capacity": {"mode": "OnDemand", "status": {"state": "Ready"}},
            "tags": body.get("tags"),
        }
        self._indexes[name] = model
        self._config = config
        return 201, model

    @staticmethod
    def _index_config(schema: Any) -> tuple[_IndexConfig, dict[str, Any]]:
        """Read a 2026-07 vectors-API schema: ``_values`` (dense) and optional ``_sparse_values``."""
        fields = schema.get("fields") if isinstance(schema, dict) else None
        if not isinstance(fields, dict) or not fields:
            raise _ApiError(400, "schema.fields must declare at least one field.")
        others = sorted(set(fields) - {_DENSE_FIELD, _SPARSE_FIELD})
        dense = fields.get(_DENSE_FIELD)
        if others or not isinstance(dense, dict):
            raise _ApiError(
                400,
                "FakePinecone serves only vectors-API indexes: a '_values' dense_vector field and "
                f"optionally '_sparse_values'; got fields {sorted(fields)}.",
            )
        dimension, metric = dense.get("dimension"), dense.get("metric")
        if dense.get("type") != "dense_vector" or metric is None:
            raise _ApiError(422, "Failed to deserialize the JSON body into the target type: missing field `metric`")
        if not isinstance(dimension, int) or isinstance(dimension, bool) or not 1 <= dimension <= _MAX_DIMENSION:
            raise _ApiError(400, f"dimension must be an integer between 1 and {_MAX_DIMENSION}.")
        if metric not in _METRICS:
            raise _ApiError(400, f"metric must be one of {sorted(_METRICS)}.")
        echoed: dict[str, Any] = {_DENSE_FIELD: {"type": "dense_vector", "dimension": dimension, "metric": metric}}
        sparse_field = fields.get(_SPARSE_FIELD)
        if sparse_field is not None:
            if not isinstance(sparse_field, dict) or sparse_field.get("type") != "sparse_vector":
                raise _ApiError(400, f"'{_SPARSE_FIELD}' must be a sparse_vector field.")
            echoed[_SPARSE_FIELD] = {"type": "sparse_vector"}
        config = _IndexConfig(dimension=dimension, metric=metric, sparse=sparse_field is not None)
        return config, {"fields": echoed}
