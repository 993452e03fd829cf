"""What a sensitive domain lets leave the machine, and how its text is redacted.

Why a seam of its own: de-identification (health notes) and blind screening (resumes) must run
before text is chunked, embedded or stored — afterwards the identifiers are already in an index
the team may not control — and before a prompt reaches a tier marked `external`. Shared code
applies the domain's `Redactor` at both points (ingest, `TaskContext.generate`), so no domain can
forget one and no caller (CLI, eval, HTTP API) can route around them.
"""
from __future__ import annotations

from typing import Literal

from rightsized.pipelines.privacy import Redaction, Redactor, merge_counts

__all__ = ["ExternalPolicy", "Redaction", "Redactor", "merge_counts"]

# What `TaskContext.generate` does with a sensitive domain's prompt for a tier marked `external`:
# "never" refuses, "redacted" sends only the redacted prompt (and refuses without a redactor),
# "allow" sends the prompt as it is (the run and its result carry a warning).
ExternalPolicy = Literal["allow", "redacted", "never"]
