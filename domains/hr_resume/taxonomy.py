"""The skill taxonomy: canonical skills, their synonyms and abbreviations, and finding them in text.

Why a hand-written taxonomy: matching "k8s" to "Kubernetes" or "Postgres" to "PostgreSQL" is
where naive keyword matchers fail, and a recruiter must be able to read why two words count as
the same skill. Aliases of two letters or fewer, and a few that are ordinary words ("Go",
"Spark"), match case-sensitively so "go" or "r" in a sentence is not a skill. Postings join
skills with a slash ("C/C++", "Docker/Kubernetes"), so a skill after "/" counts, unless the slash
is part of a link or path ("github.com/kafka-tools"); an alias holding a slash ("CI/CD") still
wins as the longer match.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

# canonical name -> aliases (the canonical name itself always matches)
SKILLS: dict[str, tuple[str, ...]] = {
    "Python": ("Python3", "Python 3"),
    "JavaScript": ("JS", "ECMAScript", "ES6"),
    "TypeScript": (),
    "Java": (),
    "Go": ("Golang",),
    "Rust": (),
    "C++": ("cpp",),
    "C#": ("C Sharp",),
    ".NET": ("dotnet", ".NET Core", "ASP.NET"),
    "Kotlin": (),
    "Scala": (),
    "Ruby": (),
    "PHP": (),
    "SQL": (),
    "React": ("React.js", "ReactJS"),
    "Angular": ("AngularJS",),
    "Vue": ("Vue.js", "VueJS"),
    "Node.js": ("NodeJS", "Node"),
    "Django": (),
    "Flask": (),
    "Spring": ("Spring Boot",),
    "FastAPI": (),
    "PostgreSQL": ("Postgres", "psql"),
    "MySQL": (),
    "MongoDB": ("Mongo",),
    "Redis": (),
    "Elasticsearch": ("Elastic Search", "OpenSearch"),
    "Kafka": ("Apache Kafka",),
    "Spark": ("Apache Spark", "PySpark"),
    "Airflow": ("Apache Airflow",),
    "Docker": ("containers",),
    "Kubernetes": ("k8s", "K8s"),
    "Terraform": (),
    "Ansible": (),
    "AWS": ("Amazon Web Services",),
    "GCP": ("Google Cloud", "Google Cloud Platform"),
    "Azure": ("Microsoft Azure",),
    "CI/CD": ("continuous integration", "Jenkins", "GitHub Actions", "GitLab CI"),
    "Linux": (),
    "Git": (),
    "Machine Learning": ("ML",),
    "Deep Learning": (),
    "NLP": ("natural language processing",),
    "Computer Vision": (),
    "PyTorch": ("torch",),
    "TensorFlow": ("Keras",),
    "scikit-learn": ("sklearn", "scikit learn"),
    "pandas": (),
    "Statistics": ("statistical modelling", "statistical modeling"),
    "GraphQL": (),
    "REST APIs": ("REST", "RESTful", "RESTful APIs"),
    "Microservices": ("microservice",),
    "HTML": ("HTML5",),
    "CSS": ("CSS3", "Sass"),
    "Prometheus": (),
    "Grafana": (),
    "Selenium": (),
    "Agile": ("Scrum", "Kanban"),
}
# Aliases that are ordinary words or very short: matched with their exact case.
CASE_SENSITIVE = {"Go", "JS", "ML", "REST", "SQL", "Node", "Spark", "Rust", "Scala", "Ruby", "Agile",
                  "Spring", "Flask", "React", "Angular", "Git", "Statistics", "Vue", "Redis", "torch",
                  "containers", "Scrum", "Kanban", "PHP", "AWS", "GCP", "NLP", "HTML", "CSS", "psql", "cpp"}


@dataclass(frozen=True)
class SkillMention:
    skill: str  # canonical
    alias: str  # as written
    start: int
    end: int


# Not inside a longer token: "Java" in "JavaScript", "JS" in "Node.js", "C" in "C++" do not count.
# A slash is allowed before a skill here and judged in `_slash_joined`.
BEFORE = r"(?<![A-Za-z0-9+#.])"
AFTER = r"(?![A-Za-z0-9+#]|\.[A-Za-z0-9])"
# The slash-joined word a mention ends ("C/C++" before "C++"), from the last space or bracket.
SLASHED_PREFIX = re.compile(r"[^\s(\[{\"',;]*/$")
# One piece of a slash list that is not a skill: a plain word ("C" in "C/C++"); a piece with a dot,
# colon or "@" ("github.com", "https:") or an empty one ("/usr/bin/python") makes it a link or path.
PLAIN_WORD = re.compile(r"[A-Za-z0-9+#-]+")


def _written(alias: str) -> str:
    # A space in an alias matches any whitespace: a wrapped line may break "machine learning".
    return r"\s+".join(re.escape(word) for word in alias.split(" "))


@cache
def _compiled() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, str]]:
    canonical: dict[str, str] = {}
    sensitive, insensitive = [], []
    for skill, aliases in SKILLS.items():
        for alias in (skill, *aliases):
            canonical[alias.lower()] = skill
            canonical.setdefault(alias, skill)
            (sensitive if alias in CASE_SENSITIVE else insensitive).append(alias)
    # Longest first, so "Apache Kafka" wins over "Kafka" and "Spring Boot" over "Spring". The
    # boundary checks stand once around the alternation, not in every alternative: the same
    # matches (a failed lookahead backtracks into the next alternative), several times faster,
    # and the parser runs this on every line of every resume it ranks.
    by_length = lambda names: (BEFORE + "(?:" + "|".join(_written(a) for a in sorted(names, key=len, reverse=True))  # noqa: E731
                               + ")" + AFTER)
    return re.compile(by_length(sensitive)), re.compile(by_length(insensitive), re.IGNORECASE), canonical


def find_skills(text: str) -> list[SkillMention]:
    """Every skill mention in `text`, in order; overlapping mentions keep the longer one."""
    sensitive, insensitive, canonical = _compiled()
    found = []
    for pattern in (sensitive, insensitive):
        for m in pattern.finditer(text):
            if not _slash_joined(text, m.start(), canonical):
                continue
            written = " ".join(m.group(0).split())
            found.append(SkillMention(canonical.get(written) or canonical[written.lower()], m.group(0), m.start(), m.end()))
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[SkillMention] = []
    for mention in found:
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    return kept


def _slash_joined(text: str, start: int, canonical: dict[str, str]) -> bool:
    """False for a mention after a slash that is part of a link or path; True otherwise. Every
    piece before it must be a skill ("Node.js/React") or a plain word ("C/C++")."""
    if not text.endswith("/", 0, start) or not (prefix := SLASHED_PREFIX.search(text, 0, start)):
        return True
    pieces = prefix.group(0)[:-1].split("/")
    return all(piece.lower() in canonical or PLAIN_WORD.fullmatch(piece) for piece in pieces)


def canonical_skill(name: str) -> str | None:
    """The canonical skill a written name stands for ("k8s" -> "Kubernetes"), or None."""
    mentions = find_skills(name.strip())
    return mentions[0].skill if len(mentions) == 1 and mentions[0].alias == name.strip() else None


def skill_set(text: str) -> set[str]:
    return {m.skill for m in find_skills(text)}
