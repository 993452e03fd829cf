"""Plain-words explanations of a price: a template always, an LLM draft only if its numbers check out.

Why every number is checked: the analyst acts on the explanation. A generator may phrase what the
tools found, never add to it; a number in its text that is not in the tool output (within
rounding) is a validation failure — recorded, and the draft dropped for the template.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from rightsized.domains.context import TaskContext

_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:,\d{3})*(?:\.\d+)?")
MAX_TOKENS = 60
PROMPT_HEAD = "Facts from the pricing tools (numbers are exact):\n"
PROMPT_TAIL = ("\nWrite one sentence for a category manager that explains the recommended price, "
               "using only these facts and no other numbers.\nExplanation: The recommended price is")


def numbers_in(text: str) -> list[float]:
    return [float(m.replace(",", "")) for m in _NUMBER.findall(text)]


def allowed_numbers(values: Iterable[float]) -> list[float]:
    """Tool-output numbers and their usual renderings (a share as a percent, a negative unsigned)."""
    allowed: list[float] = []
    for value in values:
        allowed += [value, abs(value), value * 100, abs(value) * 100]
    return allowed


def foreign_numbers(text: str, allowed: list[float]) -> list[float]:
    """Numbers in `text` that match no allowed value within rounding (2 decimals, or 0.5%)."""
    def known(x: float) -> bool:
        return any(abs(x - a) <= max(0.0051, 0.005 * abs(a)) or round(a) == x for a in allowed)
    return [x for x in numbers_in(text) if not known(x)]


def facts_text(facts: dict[str, str]) -> str:
    return "".join(f"- {name}: {value}\n" for name, value in facts.items())


def draft(ctx: TaskContext, facts: dict[str, str], allowed: list[float]) -> tuple[str | None, str]:
    """(explanation, check) from the tier's generator; explanation None when the check failed."""
    generation = ctx.generate(PROMPT_HEAD + facts_text(facts) + PROMPT_TAIL, stop=["\n"], max_tokens=MAX_TOKENS)
    text = "The recommended price is" + generation.text.rstrip()
    if len(generation.text.strip()) < 3:
        return None, "failed: the generator returned no explanation"
    foreign = foreign_numbers(text, allowed)
    if foreign:
        shown = ", ".join(f"{x:g}" for x in foreign[:5])
        return None, f"failed: number(s) not in the tool output: {shown}"
    return text.strip(), "passed"
