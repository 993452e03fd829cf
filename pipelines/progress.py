"""The progress-callback type the library reports long work through, without knowing any UI.

The rich progress bars that render it live in the application layer (`pipelines.app.progress`).
"""
from __future__ import annotations

from collections.abc import Callable

ProgressCallback = Callable[[str, int], None]  # (event, amount), e.g. ("chunks", 512)
