"""A local Hugging Face causal-LM directory, loaded with `local_files_only=True`.

Why never download: tiers must behave the same on an air-gapped machine as on a laptop, and a
silent multi-GB fetch in the middle of an eval run is a bug. Decoding is greedy so outputs are
reproducible; stop strings end generation early and the text is cut at the first one, so
callers see the same contract as the llama.cpp and OpenAI-compatible backends.
"""
from __future__ import annotations

import importlib.util
import time
from typing import Any

from rightsized.pipelines.config import TransformersGeneratorConfig
from rightsized.pipelines.errors import BackendError
from rightsized.pipelines.generators.base import LLM_CAPABILITIES, Generation, Message, Usage
from rightsized.pipelines.generators.llamacpp import render_messages


def cut_at_stop(text: str, stop: list[str] | None) -> str:
    """Truncate at the earliest stop string (the stop string itself is not returned)."""
    cut = min((i for s in stop or [] if s and (i := text.find(s)) >= 0), default=len(text))
    return text[:cut]


class TransformersGenerator:
    """Greedy generation from a local model directory (config.json, weights, tokenizer).

    Example:
        cfg = TransformersGeneratorConfig(model_path=Path("models/tiny-llama"))
        gen = TransformersGenerator(cfg)
        if gen.unavailable_reason() is None:
            print(gen.generate("The bank asked for", stop=["."], max_tokens=16).text)
    """

    capabilities: frozenset[str] = LLM_CAPABILITIES

    def __init__(self, config: TransformersGeneratorConfig) -> None:
        self.config = config
        path = config.model_path
        self.name = f"transformers:{path.name if path else 'unset'}"
        self.load_s: float | None = None  # measured by warm_up, reported by the eval suite
        self._model: Any = None
        self._tokenizer: Any = None

    def __repr__(self) -> str:
        return f"TransformersGenerator(model_path={self.config.model_path!s})"

    def unavailable_reason(self) -> str | None:
        """Check packages and files only: nothing is loaded."""
        for package in ("torch", "transformers"):
            if importlib.util.find_spec(package) is None:
                return f"{package} is not installed"
        path = self.config.model_path
        if path is None:
            return "no model_path configured (this backend never downloads a model)"
        path = path.expanduser()
        if not path.is_dir():
            return f"model directory missing: {path}"
        if not (path / "config.json").is_file():
            return f"no config.json in {path}: not a Hugging Face model directory"
        return None

    def warm_up(self) -> None:
        """Load tokenizer and weights from disk; repeated calls are free."""
        if self._model is not None:
            return
        reason = self.unavailable_reason()
        if reason is not None:
            raise BackendError(f"{self.name}: {reason}")
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        torch.manual_seed(self.config.seed)
        path = str(self.config.model_path.expanduser())  # type: ignore[union-attr]
        start = time.perf_counter()
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
            model = AutoModelForCausalLM.from_pretrained(path, local_files_only=True)
        except (OSError, ValueError, KeyError) as exc:
            raise BackendError(f"{self.name}: could not load {path}: {exc}") from exc
        self._model = model.to(self.config.device).eval()
        self.load_s = time.perf_counter() - start

    def _prompt_text(self, prompt: str | list[Message]) -> str:
        """Use the model's own chat template when it has one; else a plain transcript."""
        if isinstance(prompt, str):
            return prompt
        if getattr(self._tokenizer, "chat_template", None):
            turns = [{"role": m.role, "content": m.content} for m in prompt]
            return self._tokenizer.apply_chat_template(
                turns, tokenize=False, add_generation_prompt=True
            )
        return render_messages(prompt)

    def generate(
        self,
        prompt: str | list[Message],
        *,
        stop: list[str] | None = None,
        max_tokens: int = 160,
    ) -> Generation:
        self.warm_up()
        import torch

        tok, model = self._tokenizer, self._model
        inputs = tok(self._prompt_text(prompt), return_tensors="pt").to(self.config.device)
        n_prompt = int(inputs["input_ids"].shape[1])
        limit = getattr(model.config, "max_position_embeddings", None)
        if limit is not None and n_prompt + max_tokens > limit:
            raise BackendError(
                f"{self.name}: prompt is {n_prompt} tokens and max_tokens is {max_tokens}, "
                f"together more than the model's {limit} positions"
            )
        stops = [s for s in stop or [] if s]
        pad_id = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
        start = time.perf_counter()
        try:
            with torch.inference_mode():
                out = model.generate(
                    **inputs,
                    max_new_tokens=max_tokens,
                    do_sample=False,
                    pad_token_id=pad_id,
                    **({"stop_strings": stops, "tokenizer": tok} if stops else {}),
                )
        except (RuntimeError, ValueError) as exc:
            raise BackendError(f"{self.name}: generation failed: {exc}") from exc
        latency = time.perf_counter() - start
        new_ids = out[0, n_prompt:]
        text = tok.decode(new_ids, skip_special_tokens=True)
        return Generation(
            text=cut_at_stop(text, stops),
            usage=Usage(prompt_tokens=n_prompt, completion_tokens=int(new_ids.shape[0]),
                        latency_s=latency),
        )
