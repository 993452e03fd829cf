"""Industry domains: each subpackage exposes one `Domain` as `domain` (see `rightsized.domains.base`).

Domains are found without importing them (`rightsized.domains.registry`), here and through the
`rightsized.domains` entry-point group, and loaded only when used.
"""
from __future__ import annotations
