"""Evaluation: metrics, the domain x tier runner and its summaries. Only the CLI imports this."""
from __future__ import annotations
