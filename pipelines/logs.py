"""Route one library logger to a handler of ours for the duration of a call.

Why: some libraries report a failure by logging it (milvus_lite when a directory is locked, pypdf
for what it skipped) instead of raising. With no handler configured Python prints those records
as stray lines, tracebacks included, on the user's stderr, detached from the file or store they
concern; the caller collects them and turns them into an error that names its subject.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def routed(logger_name: str, handler: logging.Handler) -> Iterator[None]:
    """Send `logger_name`'s records to `handler` only (not to the root logger) inside the block."""
    logger = logging.getLogger(logger_name)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
