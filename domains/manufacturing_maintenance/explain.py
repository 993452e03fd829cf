"""The technician-facing explanation an LLM tier drafts, and the checks it must pass to be shown.

Why validate: the small tier is a 270M base model; a sentence that names a part, a number or a
manual row the evidence does not contain would send a technician to the wrong job. So the
explanation may only use the evidence: every number it states must be in the evidence, every
technical term it uses (from `TERMS`) must occur in the evidence, at least 80% of its other words
(four letters or more, beyond a few plain ones) must too, every row or work-order id must be one
that was cited, it may not deny anything the evidence does not deny ("the sensor is not
working"), and it must not call a high-risk machine healthy or a low-risk one
failing. Anything else is rejected and the template is used, with a warning.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from rightsized.pipelines.prompts import ContextChunk, build_prompt

INSTRUCTION = ("You are a maintenance engineer. In one or two sentences, tell the technician what is wrong with "
               "the machine and what to do first, using only the evidence.")
QUESTION = "Explain the diagnosis to the technician."
TERMS = ("bearing", "vibration", "overheat", "overtemperature", "heat", "coolant", "fan", "power", "belt", "drive",
         "overstrain", "torque", "tool", "insert", "wear", "alignment", "voltage", "lubric", "grease", "fins",
         "exchanger", "spindle", "feed", "depth of cut", "hose", "encoder", "servo")
HEALTHY = re.compile(r"\b(?:healthy|no (?:problem|issue|fault)s?|nothing (?:is )?wrong|normal(?:ly)?)\b")
FAILING = re.compile(r"\b(?:fail\w*|broken|trip\w*|overheat\w*|worn)\b")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_ID = re.compile(r"\b(?:[A-Z0-9]{4,8}-(?:LIM|INT|TS)-\d{2}|WO-\d+)\b")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[a-z]{4,}")
_NEGATION = re.compile(r"\b(?:not|no|never|none|cannot)\s+\w+")
# Words any explanation may use; every other word of four letters or more must occur in the evidence.
PLAIN = frozenset("""shows because this that with from have been there their which while when then than also
should must needs need first check replace clean reduce stop machine value limit limits above below high
within over under likely same last time past case manual says said following does into only very more less
according recommended recommends""".split())
GROUNDED_SHARE = 0.8


def opening(machine_id: str, flagged_names: Sequence[str], risk: str) -> str:
    """The first words of the explanation, written by us: a base model continues a sentence far
    more reliably than it follows an instruction (given a worked example, Gemma 3 270M copied it
    on all 9 sample machines tried)."""
    if flagged_names:
        return f"{machine_id} shows {' and '.join(flagged_names)} because"
    return f"{machine_id} is within its limits, and" if risk == "low" else f"{machine_id} is at a limit because"


def prompt(evidence: str, start: str) -> str:
    return build_prompt(INSTRUCTION, QUESTION, [ContextChunk("evidence", evidence)],
                        answer_prefix=f"Explanation: {start}")


def _numbers(text: str) -> set[str]:
    """Numbers stated in a text; the digits inside row ids and work orders are not quantities."""
    text = _ID.sub(" ", re.sub(r"\b[A-Z]+-\d+\b", " ", text))
    return {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}


def validate(text: str, evidence: str, cited: Sequence[str], risk: str) -> tuple[str | None, str | None]:
    """(cleaned explanation, None) when usable, else (None, why it was rejected)."""
    sentences = [s for s in _SENTENCE.split(" ".join(text.split())) if s]
    if sentences and not sentences[-1].endswith((".", "!", "?")):
        sentences.pop()  # cut off at max_tokens
    cleaned = " ".join(dict.fromkeys(sentences))
    if len(cleaned) < 20:
        return None, f"too short or unfinished: {text.strip()[:60]!r}"
    unknown = sorted(_numbers(cleaned) - _numbers(evidence))
    if unknown:
        return None, f"states number(s) not in the evidence: {', '.join(unknown[:5])}"
    lowered, source = cleaned.lower(), evidence.lower()
    foreign = [t for t in TERMS if t in lowered and t not in source]
    if foreign:
        return None, f"uses term(s) the evidence does not: {', '.join(foreign)}"
    if risk == "high" and HEALTHY.search(lowered):
        return None, "calls a high-risk machine healthy"
    if risk == "low" and FAILING.search(lowered):
        return None, "describes a failure the diagnosis did not find"
    denied = [m.group(0) for m in _NEGATION.finditer(lowered.replace("n't", " not")) if m.group(0) not in source]
    if denied:
        # "the vibration sensor is not working": a claim about the equipment the evidence never makes
        return None, f"states something is not so, which no evidence says: {denied[0]!r}"
    words = [w for w in _WORD.findall(lowered) if w not in PLAIN]
    known = set(_WORD.findall(source))
    ungrounded = [w for w in words if w not in known and not any(k.startswith(w[:5]) for k in known)]
    if words and 1 - len(ungrounded) / len(words) < GROUNDED_SHARE:
        return None, f"words not in the evidence: {', '.join(dict.fromkeys(ungrounded))}"
    ids = sorted(set(_ID.findall(cleaned)) - set(cited))
    if ids:
        return None, f"names row(s) or work order(s) that were not cited: {', '.join(ids)}"
    return cleaned, None
