"""One small exception hierarchy for the whole project.

Callers catch `RightsizedError` to handle anything we raise on purpose; the children carry the
facts a user needs to act (which file, which tier, which field) so messages can say what to do.
"""
from __future__ import annotations

from pathlib import Path


class RightsizedError(Exception):
    """Base of every error rightsized raises on purpose."""


class ConfigError(RightsizedError):
    """A config file or override is invalid; the message names the source and the field."""


class IngestError(RightsizedError):
    """One input file could not be ingested. Carries the file and the reason."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class TierUnavailableError(RightsizedError):
    """A tier cannot run here (no URL, no key, endpoint down, weights missing)."""

    def __init__(self, tier: str, reason: str) -> None:
        self.tier = tier
        self.reason = reason
        super().__init__(f"tier '{tier}' is unavailable: {reason}")


class BackendError(RightsizedError):
    """A call to a backend (model, store, endpoint) failed at run time."""


class ValidationFailedError(RightsizedError):
    """A task result broke its contract (e.g. cites a chunk that was not retrieved)."""


class PolicyError(RightsizedError):
    """A domain's policy forbids the step (e.g. sending unredacted personal data off the machine)."""
