"""Typed configuration: tiers, embedders, stores and generators, loaded from YAML.

Why pydantic with a discriminated union on `backend`: a typo in a tier file must fail at load
time with the file and the field named, not deep inside a run.

Precedence, lowest first, deep-merged: the packaged `tiers.yaml`; the environment
(`$RIGHTSIZED_DATA_DIR` for `data_dir`, and for each `openai_compatible` generator the variable
its `base_url_env` names, as `base_url`); the user's file (`--config`); every `--set path=value`
(later items win only on the same path). So an explicit `base_url` beats its variable, which
beats the shipped URL. A block's `backend` is the one named by the highest source that names
one; sources naming another backend for that block contribute none of its fields, while
fields given without a backend apply to the chosen one, so no order of sources or keys loses them.
"""
from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rightsized.pipelines.errors import ConfigError

PACKAGED_TIERS = Path(__file__).with_name("tiers.yaml")
MAX_CONFIG_BYTES = 1024 * 1024  # a tier file is a few KB; see `_read_config_text`
DATA_DIR_ENV = "RIGHTSIZED_DATA_DIR"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- embedders -------------------------------------------------------------------------------


class SentenceTransformerEmbedderConfig(_Strict):
    """Any sentence-transformers model. `all-MiniLM-L6-v2` resolves to the offline PyPI package."""

    backend: Literal["sentence_transformers"] = "sentence_transformers"
    model: str = "all-MiniLM-L6-v2"
    batch_size: int = Field(32, ge=1)  # on 2 CPU cores 128 was 1.6x slower than 32 (measured)
    device: str = "cpu"


class WordLlamaEmbedderConfig(_Strict):
    """Static wordllama embeddings: ~100x faster than MiniLM, lower quality."""

    backend: Literal["wordllama"] = "wordllama"
    dim: int = Field(256, ge=64)


EmbedderConfig = Annotated[
    SentenceTransformerEmbedderConfig | WordLlamaEmbedderConfig, Field(discriminator="backend")
]


# --- stores ----------------------------------------------------------------------------------


IndexParam = int | float | str


class _MilvusCommonConfig(_Strict):
    """Index, batching and BM25 settings shared by Milvus Lite and Milvus servers.

    `bm25`: `server` uses Milvus' BM25 function (Lite, Milvus 2.5+); `client` keeps term
    statistics in a side collection and scores on the client (any server, incl. 2.3);
    `auto` picks `server` when the server supports it. An existing collection keeps the
    mode it was created with. `client` scans the chunks of every query term: measured on a 2.3.5
    server, hybrid search p50 0.5 s at 10k chunks, 11 s at 100k (`rightsized bench search`);
    beyond a few thousand chunks use `retrieval.mode: dense` there, or Milvus 2.5+.
    """

    index_type: Literal["FLAT", "IVF_FLAT", "IVF_SQ8", "HNSW", "DISKANN", "AUTOINDEX"] = "HNSW"
    index_params: dict[str, IndexParam] = Field(default_factory=lambda: {"M": 16, "efConstruction": 200})
    search_params: dict[str, IndexParam] = Field(default_factory=dict)
    insert_batch_size: int = Field(512, ge=1)
    max_batch_mb: float = Field(16.0, gt=0, le=60)  # gRPC refuses messages over 64 MB
    bm25: Literal["auto", "server", "client"] = "auto"


class MilvusLiteStoreConfig(_MilvusCommonConfig):
    """Embedded Milvus Lite: a directory under the data dir (default) or an explicit path."""

    backend: Literal["milvus_lite"] = "milvus_lite"
    path: Path | None = None


class MilvusServerStoreConfig(_MilvusCommonConfig):
    """A Milvus standalone or distributed server. Secrets come only from environment variables:
    `token_env` names the variable holding a token (`user:password` or an API key),
    `password_env` the one holding `user`'s password."""

    backend: Literal["milvus"] = "milvus"
    uri: str = "http://127.0.0.1:19530"
    db_name: str = "default"
    user: str | None = None
    password_env: str = "RIGHTSIZED_MILVUS_PASSWORD"
    token_env: str = "RIGHTSIZED_MILVUS_TOKEN"
    secure: bool = False
    server_name: str | None = None
    ca_pem_path: Path | None = None
    client_pem_path: Path | None = None
    client_key_path: Path | None = None
    server_pem_path: Path | None = None
    # Session: this client reads its own writes (ingest then query works) without Strong's wait
    # for the next time tick on every read (measured on 2.3.5: ~200 ms per search).
    consistency_level: Literal["Strong", "Session", "Bounded", "Eventually"] = "Session"
    timeout_s: float = Field(30.0, gt=0)


class PineconeStoreConfig(_Strict):
    """A Pinecone serverless index (metric `dotproduct`, for sparse-dense hybrid). One namespace
    per domain and embedder. `host` is the index's data-plane URL; without it the host is looked
    up by `index_name` (and the index created when `create_if_missing`). The API key comes only
    from the environment variable named by `api_key_env`."""

    backend: Literal["pinecone"] = "pinecone"
    index_name: str = "rightsized"
    host: str | None = None
    api_key_env: str = "PINECONE_API_KEY"
    control_plane_host: str | None = None
    create_if_missing: bool = False
    cloud: str = "aws"
    region: str = "us-east-1"
    upsert_batch_size: int = Field(100, ge=1, le=1000)
    max_retries: int = Field(5, ge=0)
    backoff_s: float = Field(0.5, ge=0)
    freshness_timeout_s: float = Field(60.0, ge=0)


StoreConfig = Annotated[
    MilvusLiteStoreConfig | MilvusServerStoreConfig | PineconeStoreConfig, Field(discriminator="backend")
]


# --- retrieval -------------------------------------------------------------------------------


class RetrievalConfig(_Strict):
    """How many chunks to return and how: dense, sparse (BM25) or hybrid (RRF of both)."""

    k: int = Field(8, ge=1, le=200)
    mode: Literal["dense", "sparse", "hybrid"] = "hybrid"
    candidates: int = Field(40, ge=1, le=1000)
    rrf_k: int = Field(60, ge=1)


# --- generators ------------------------------------------------------------------------------


class ExtractiveGeneratorConfig(_Strict):
    """No LLM: answers are composed from retrieved spans and domain tools."""

    backend: Literal["extractive"] = "extractive"


class LlamaCppGeneratorConfig(_Strict):
    """A local GGUF model through llama-cpp-python. No `model_path` means the packaged Gemma 3 270M."""

    backend: Literal["llamacpp"] = "llamacpp"
    model_path: Path | None = None
    n_ctx: int = Field(4096, ge=256)
    n_threads: int | None = None
    seed: int = 0


class TransformersGeneratorConfig(_Strict):
    """A local Hugging Face causal-LM directory (never downloaded: offline by design)."""

    backend: Literal["transformers"] = "transformers"
    model_path: Path | None = None
    device: str = "cpu"
    seed: int = 0


class OpenAICompatibleGeneratorConfig(_Strict):
    """Any OpenAI-compatible endpoint: vLLM, TGI, llama.cpp server, Ollama, OpenAI, gateways.

    The URL comes from `base_url`, else from the environment variable named in `base_url_env`
    (`load_settings` already put that variable into `base_url` unless the user set one); the key
    only ever from the environment variable named in `api_key_env` (never from a file).

    `allow_insecure_http`: a key is never sent over plain `http://` to a host other than loopback
    (127.0.0.0/8, ::1, localhost), because anyone on the path reads it; the tier is unavailable
    with that reason instead. Set it to true only for a trusted network you cannot put TLS on.
    """

    backend: Literal["openai_compatible"] = "openai_compatible"
    base_url: str | None = None
    base_url_env: str | None = None
    api_key_env: str | None = None
    api_key_required: bool = False  # hosted APIs: True; self-hosted servers often need no key
    model: str = "default"
    mode: Literal["completion", "chat"] = "completion"
    timeout_s: float = Field(60.0, gt=0)
    max_retries: int = Field(2, ge=0)
    allow_insecure_http: bool = False

    def resolved_base_url(self) -> str | None:
        """An explicit `base_url` wins: only `load_settings` knows whether it was shipped (then the
        variable already replaced it) or the user's choice (then it must beat the variable)."""
        if self.base_url:
            return self.base_url
        return (os.environ.get(self.base_url_env) or None) if self.base_url_env else None


GeneratorConfig = Annotated[
    ExtractiveGeneratorConfig
    | LlamaCppGeneratorConfig
    | TransformersGeneratorConfig
    | OpenAICompatibleGeneratorConfig,
    Field(discriminator="backend"),
]


# --- tiers -----------------------------------------------------------------------------------


class PriceConfig(_Strict):
    """Per 1k tokens for APIs; per GPU-hour for self-hosted (amortised over measured throughput)."""

    input_per_1k: float = Field(0.0, ge=0)
    output_per_1k: float = Field(0.0, ge=0)
    gpu_hour: float | None = Field(None, ge=0)


class TierConfig(_Strict):
    """A named bundle: embedder, retrieval, generator and prices."""

    description: str = ""
    external: bool = False  # True: text leaves this machine (sensitive domains must redact first)
    embedder: EmbedderConfig = Field(default_factory=SentenceTransformerEmbedderConfig)
    retrieval: RetrievalConfig = Field(default_factory=RetrievalConfig)
    generator: GeneratorConfig = Field(default_factory=ExtractiveGeneratorConfig)
    max_tokens: int = Field(160, ge=1)
    price: PriceConfig = Field(default_factory=PriceConfig)


class IngestConfig(_Strict):
    """Chunking sized to the embedder window (MiniLM reads 256 word-pieces; see ENVIRONMENT.md)."""

    chunk_size: int = Field(200, ge=16)  # words
    chunk_overlap: int = Field(40, ge=0)  # words
    max_file_mb: float = Field(50.0, gt=0)
    ocr: bool = True  # image-only PDFs and PNG/JPEG are read with Tesseract; false: refused with the reason


class Settings(_Strict):
    data_dir: Path = Path("~/.rightsized")
    default_tier: str = "baseline"
    store: StoreConfig = Field(default_factory=MilvusLiteStoreConfig)
    ingest: IngestConfig = Field(default_factory=IngestConfig)
    tiers: dict[str, TierConfig]
    # Per-domain settings (`domains.<name>.<field>`), validated by that domain's own config model
    # when it is used: core stays free of any domain's shape.
    domains: dict[str, dict[str, Any]] = Field(default_factory=dict)

    def tier(self, name: str) -> TierConfig:
        if name not in self.tiers:
            raise ConfigError(f"unknown tier '{name}'; known tiers: {', '.join(self.tiers)}")
        return self.tiers[name]

    @property
    def resolved_data_dir(self) -> Path:
        return self.data_dir.expanduser()

    def fingerprint(self) -> str:
        """Hash of the effective config (it holds env-var names, never secret values): stored
        with runs and decisions so a result can be tied to the exact settings behind it."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]

    @property
    def store_path(self) -> Path:
        """Where Milvus Lite data lives: the configured path or `<data_dir>/milvus.db`."""
        path = self.store.path if isinstance(self.store, MilvusLiteStoreConfig) else None
        return (path or self.resolved_data_dir / "milvus.db").expanduser()


def _union_members(annotated: Any) -> tuple[type[BaseModel], ...]:
    inner = get_args(annotated)[0]
    return get_args(inner) or (inner,)


# Derived from the unions, so a new backend is covered without touching this line.
_BACKEND_TAGS = {
    cls.model_fields["backend"].default
    for union in (EmbedderConfig, StoreConfig, GeneratorConfig)
    for cls in _union_members(union)
}

# --- loading ---------------------------------------------------------------------------------


Source = tuple[str, dict[str, Any]]  # (name shown in errors, nested mapping)


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _merge_all(sources: list[Source]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for _, data in sources:
        merged = _deep_merge(merged, data)
    return merged


def _named_backends(data: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every block in `data` that names a `backend`, as (path, backend)."""
    found = [(prefix, data["backend"])] if "backend" in data else []
    for key, value in data.items():
        if isinstance(value, dict):
            found += _named_backends(value, (*prefix, key))
    return found


def _without(data: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    """A copy of `data` without the block at `path`, if still there (a block inside another one
    that was already dropped is gone); `data` itself is left untouched."""
    head, *rest = path
    if not rest:
        return {k: v for k, v in data.items() if k != head}
    if not isinstance(data.get(head), dict):
        return data
    return {**data, head: _without(data[head], tuple(rest))}


def _drop_other_backends(sources: list[Source]) -> list[Source]:
    """Each block keeps the backend named by the highest-precedence source that names one; a
    source naming a different backend there loses that block (its fields would be invalid).

    Why per source rather than at each merge step: deciding while merging made the outcome
    depend on order (`--set store.uri=X --set store.backend=milvus` dropped the URI).
    """
    chosen = {path: backend for _, data in sources for path, backend in _named_backends(data)}
    kept = []
    for name, data in sources:
        for path, backend in _named_backends(data):
            if backend != chosen[path]:
                data = _without(data, path)
        kept.append((name, data))
    return kept


def _environment(sources: list[Source]) -> list[Source]:
    """The environment as sources (one per variable, for `_blame`), read once the other sources
    say which `base_url_env` each `openai_compatible` generator names."""
    found: dict[str, dict[str, Any]] = {}
    if os.environ.get(DATA_DIR_ENV):
        found[DATA_DIR_ENV] = {"data_dir": os.environ[DATA_DIR_ENV]}
    tiers = _merge_all(_drop_other_backends(sources)).get("tiers")
    for tier_name, tier in (tiers.items() if isinstance(tiers, dict) else ()):
        generator = tier.get("generator") if isinstance(tier, dict) else None
        if not isinstance(generator, dict) or generator.get("backend") != "openai_compatible":
            continue
        var = generator.get("base_url_env")
        if isinstance(var, str) and os.environ.get(var):
            layer = {"tiers": {tier_name: {"generator": {"base_url": os.environ[var]}}}}
            found[var] = _deep_merge(found.get(var, {}), layer)
    return [(f"${var}", data) for var, data in found.items()]


def _read_config_text(path: Path) -> str:
    """The file's text, refusing what cannot be a config before reading it: a directory, a device
    such as /dev/zero (read "to the end" it never ends), a FIFO (opening it blocks) or a file over
    MAX_CONFIG_BYTES (a tier file is a few KB; reading a huge one only exhausts memory)."""
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: config file not found") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror})") from exc
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise ConfigError(f"{path}: {kind}; --config takes a YAML file")
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)  # bounded even if the file grows meanwhile
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror})") from exc
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // 1024} KiB; --config takes a YAML tier file")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not a UTF-8 text file (byte {exc.start}); --config takes a YAML file") from exc


def _read_yaml(path: Path) -> dict[str, Any]:
    text = _read_config_text(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a mapping, got {type(data).__name__}")
    return data


def parse_override(item: str) -> dict[str, Any]:
    """Turn `tiers.small.generator.n_ctx=2048` into a nested dict; the value is parsed as YAML."""
    if "=" not in item:
        raise ConfigError(f"--set {item!r}: expected path=value, e.g. tiers.small.max_tokens=64")
    path, raw = item.split("=", 1)
    keys = [k for k in path.strip().split(".") if k]
    if not keys:
        raise ConfigError(f"--set {item!r}: empty path")
    try:
        value: Any = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"--set {item!r}: the value is not valid YAML ({problem}); "
                          f"quote it to pass text, e.g. --set '{path}=\"...\"'") from exc
    for key in reversed(keys):
        value = {key: value}
    return value


def _has_path(data: dict[str, Any], loc: tuple[Any, ...]) -> bool:
    node: Any = data
    for key in loc:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


def _blame(sources: list[Source], loc: tuple[Any, ...]) -> str:
    """Name the last source that set the deepest existing prefix of `loc` (the one to fix)."""
    for depth in range(len(loc), 0, -1):
        for name, data in reversed(sources):
            if _has_path(data, loc[:depth]):
                return name
    return sources[0][0]


def load_settings(config_file: Path | None = None, overrides: list[str] | None = None) -> Settings:
    """Packaged tiers < environment < the user's YAML < `--set` (see the module docstring)."""
    user: list[Source] = []
    if config_file is not None:
        user.append((str(config_file), _read_yaml(Path(config_file))))
    user += [(f"--set {item}", parse_override(item)) for item in overrides or []]
    shipped: Source = (str(PACKAGED_TIERS), _read_yaml(PACKAGED_TIERS))
    sources = _drop_other_backends([shipped, *_environment([shipped, *user]), *user])
    merged = _merge_all(sources)
    try:
        settings = Settings.model_validate(merged)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            # Discriminated unions insert the backend tag into loc; it is not a field path.
            loc = tuple(p for p in err["loc"] if p not in _BACKEND_TAGS)
            shown = ".".join(str(p) for p in loc)
            lines.append(f"{_blame(sources, loc)}: {shown}: {err['msg']}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines)) from exc
    if settings.default_tier not in settings.tiers:
        raise ConfigError(f"default_tier '{settings.default_tier}' is not a defined tier")
    return settings
