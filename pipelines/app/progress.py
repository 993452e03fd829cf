"""Rich progress bars for long work, as a callback the library can call without knowing rich."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rightsized.pipelines.progress import ProgressCallback


@contextmanager
def progress_callback(enabled: bool, label: str) -> Iterator[ProgressCallback | None]:
    """Yield `callback(event, amount)`: one bar per event kind ("files", "chunks", "cases")."""
    if not enabled:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        tasks: dict[str, int] = {}

        def callback(event: str, amount: int) -> None:
            if event not in tasks:
                tasks[event] = progress.add_task(f"{label}: {event}", total=None)
            progress.advance(tasks[event], amount)

        yield callback
