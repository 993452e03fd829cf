"""Industry domains. Each subpackage registers one `Domain` (see `domains.base`)."""
from __future__ import annotations
