"""Synthetic candidates and jobs with known answers: who is relevant to a job, and why.

Why profiles, not templates filled at random: the graded relevance of every job x resume pair
must follow from how the resume was made. Five kinds per job:
  strong (3)     every must skill used at work for at least its minimum years, nice skills too;
                 the first strong candidate names one must skill only in a dated project
  good (2)       every must with its years, no nice skills; a concurrent side job overlaps
  short (1)      every must, but the key skill's years fall short once overlaps are merged
                 (the naive sum of the two overlapping jobs reaches the minimum)
  stuffer (1)    a skills list naming every requirement, with no experience behind it
  unrelated (0)  another role's skills
Each candidate has a synthetic gender and age, planted as protected attributes (name, pronouns,
gender line, date of birth or age, graduation year, nationality, marital status, photo line);
a counterfactual twin is the same resume with those swapped.
"""
from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, replace
from datetime import date

from rightsized.domains.hr_resume.dates import as_month
from rightsized.domains.hr_resume.taxonomy import SKILLS

AS_OF = date(2026, 6, 1)
NOW = as_month(AS_OF)
RELEVANCE = {"strong": 3, "good": 2, "short": 1, "stuffer": 1, "unrelated": 0}
ROLES = {
    "backend": ("Backend Engineer", ["Python", "PostgreSQL", "Docker", "Kubernetes", "Kafka", "Redis", "AWS",
                                     "Go", "Django", "Terraform", "REST APIs", "Microservices"]),
    "ml": ("Machine Learning Engineer", ["Python", "Machine Learning", "PyTorch", "SQL", "Spark", "Airflow",
                                         "pandas", "scikit-learn", "NLP", "Statistics", "Docker", "AWS"]),
    "frontend": ("Frontend Engineer", ["JavaScript", "TypeScript", "React", "CSS", "HTML", "GraphQL", "Node.js",
                                       "Vue", "CI/CD", "Git"]),
    "sre": ("Site Reliability Engineer", ["Kubernetes", "Terraform", "AWS", "Linux", "Prometheus", "Grafana",
                                          "Ansible", "Docker", "Go", "CI/CD", "Python"]),
    "mobile": ("Android Developer", ["Kotlin", "Java", "REST APIs", "Git", "CI/CD", "GraphQL"]),
    "dotnet": ("Enterprise .NET Developer", ["C#", ".NET", "SQL", "Azure", "Angular", "Agile"]),
}
# The job-side and resume-side spelling a naive matcher misses.
PREFERRED_ALIASES = {"JavaScript": "JS", "Kubernetes": "k8s", "Machine Learning": "ML", "PostgreSQL": "Postgres",
                     "Go": "Golang", "Node.js": "NodeJS", "CI/CD": "GitHub Actions", "scikit-learn": "sklearn"}
FEMALE = ["Anna", "Sofia", "Chloe", "Amara", "Ingrid", "Priya", "Elena", "Yara", "Leila", "Noemi", "Zoë", "Aisha",
          "Mei", "Fatima", "Olga", "Lucía"]
MALE = ["Lukas", "José", "Oliver", "Kenji", "Rafael", "Tomasz", "Samuel", "Søren", "Hugo", "Daniel", "Marco",
        "Jürgen", "Arjun", "Kwame", "Omar", "Pavel"]
SURNAMES = ["Eriksson", "Moreau", "Bianchi", "Kowalski", "Okafor", "Tanaka", "Sjöberg", "Gonçalves", "Novak",
            "Brennan", "Haddad", "Müller", "Costa", "Nakamura", "Dubois", "Petrov", "Osei", "Jansen", "Morales",
            "Keller", "Rossi", "Mensah", "Horváth", "Sato"]
NATIONALITIES = ["Swedish", "French", "Italian", "Polish", "Nigerian", "Japanese", "Brazilian", "Indian", "Ghanaian",
                 "Irish", "Lebanese", "German", "Portuguese", "Dutch", "Mexican", "Hungarian"]
MARITAL = ["Married", "Single", "Married, two children", "Divorced"]
COMPANIES = ["Northwind Labs", "Bluefin Systems", "Orbital Freight", "Harbour Analytics", "Quillfeather Ltd",
             "Tidewater Bank", "Copperleaf Health", "Lumen Retail", "Vantage Mobility", "Stonebridge Media",
             "Kestrel Robotics", "Meridian Insurance", "Fjord Energy", "Pinecrest Games", "Alder Logistics"]
TITLES = ["Software Engineer", "Senior Software Engineer", "Platform Engineer", "Developer", "Lead Developer",
          "Research Engineer", "Staff Engineer", "Consultant"]
SCHOOLS = ["University of Leeds", "Delft University of Technology", "Uppsala University", "University of Lagos",
           "Politecnico di Milano", "University of Toronto", "Warsaw University of Technology", "Osaka University"]
FIELDS = ["Computer Science", "Software Engineering", "Mathematics", "Electrical Engineering", "Physics", "Statistics"]
DEGREES = [("bachelor", "B.Sc."), ("bachelor", "Bachelor of Engineering"), ("master", "M.Sc."), ("master", "MSc"),
           ("phd", "PhD")]
CERTIFICATIONS = ["AWS Certified Solutions Architect - Associate", "Certified Kubernetes Administrator (CKA)",
                  "Google Professional Data Engineer", "Professional Scrum Master I",
                  "Microsoft Certified: Azure Fundamentals", "HashiCorp Certified: Terraform Associate"]
LAYOUTS = ("chronological", "skills_first", "two_column", "terse", "academic", "plain_text")


@dataclass(frozen=True)
class Person:
    given: str
    surname: str
    gender: str  # F | M (synthetic group for the impact ratio)
    birth_year: int
    nationality: str
    marital: str
    plants: tuple[str, ...]  # which protected attributes the resume shows

    @property
    def name(self) -> str:
        return f"{self.given} {self.surname}"

    @property
    def email(self) -> str:
        return f"{ascii_fold(self.given)}.{ascii_fold(self.surname)}@example.com"

    @property
    def handle(self) -> str:
        """The profile-link handle, ASCII like the e-mail ("jose-goncalves")."""
        return f"{ascii_fold(self.given)}-{ascii_fold(self.surname)}"

    @property
    def age_band(self) -> str:
        return "40_and_over" if AS_OF.year - self.birth_year >= 40 else "under_40"


@dataclass(frozen=True)
class Job:
    title: str
    company: str
    start: int  # month index
    end: int | None  # None: present
    skills: tuple[str, ...]
    side: bool = False  # a concurrent side job (freelance)


@dataclass(frozen=True)
class Project:
    name: str
    start: int
    end: int | None
    skills: tuple[str, ...]


@dataclass(frozen=True)
class Profile:
    resume_id: str
    kind: str  # strong | good | short | stuffer | unrelated | parse
    person: Person
    jobs: tuple[Job, ...]
    projects: tuple[Project, ...] = ()
    listed: tuple[str, ...] = ()  # the skills section
    degree: tuple[str, str, str, str] = ("bachelor", "B.Sc.", "Computer Science", "University of Leeds")
    graduation: int = 2012
    certifications: tuple[str, ...] = ()
    layout: str = "chronological"
    style: int = 0  # date and header formats, alias choices (kept by a twin)
    phone: str = "+44 20 7946 0000"
    twin_of: str | None = None

    @property
    def relevance(self) -> int:
        return RELEVANCE.get(self.kind, 0)


@dataclass(frozen=True)
class JobPosting:
    job_id: str
    role: str
    title: str
    must: tuple[str, ...]
    nice: tuple[str, ...]
    key_skill: str  # the must with a minimum in years
    min_years: int
    second_min: tuple[str, int] | None = None
    overall_years: int | None = None
    style: int = 0


def ascii_fold(name: str) -> str:
    """"Müller" -> "muller": how an e-mail address or a profile link spells an accented name."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def make_person(rng: random.Random, gender: str) -> Person:
    given = rng.choice(FEMALE if gender == "F" else MALE)
    plants = tuple(p for p in ("gender_line", "dob", "nationality", "marital", "photo", "pronoun", "title")
                   if rng.random() < 0.6)
    return Person(given=given, surname=rng.choice(SURNAMES), gender=gender, birth_year=rng.randint(1965, 2000),
                  nationality=rng.choice(NATIONALITIES), marital=rng.choice(MARITAL), plants=plants)


def counterfactual(person: Person, rng: random.Random) -> Person:
    """The other group, another name, age and nationality; the same attributes shown."""
    other = "M" if person.gender == "F" else "F"
    twin = make_person(rng, other)
    birth = person.birth_year + (14 if person.birth_year < 1985 else -14)
    return replace(twin, birth_year=birth, plants=person.plants,
                   nationality=next(n for n in rng.sample(NATIONALITIES, len(NATIONALITIES)) if n != person.nationality))


def make_job(job_id: str, role: str, rng: random.Random, style: int) -> JobPosting:
    title, skills = ROLES[role]
    chosen = rng.sample(skills, 5)
    must, nice = tuple(chosen[:3]), tuple(chosen[3:])
    second = (must[1], 2) if rng.random() < 0.5 else None
    overall = rng.choice([None, 3]) if second is None else None
    return JobPosting(job_id, role, title, must, nice, key_skill=must[0], min_years=rng.choice([5, 6]),
                      second_min=second, overall_years=overall, style=style)


def _months(years: float) -> int:
    return int(round(years * 12))


def _career_start(profile_years: float) -> int:
    return NOW - _months(profile_years)


def make_candidate(resume_id: str, kind: str, job: JobPosting, person: Person, rng: random.Random,
                   layout: str, *, project_only: bool = False) -> Profile:
    """A candidate of `kind` for `job` (module docstring); `project_only`: a strong candidate
    names its third must skill only in a dated project."""
    role_skills = ROLES[job.role][1]
    unrelated_roles = [r for r in ROLES if not set(ROLES[r][1]) & set(job.must + job.nice)]
    other_role = rng.choice(unrelated_roles) if unrelated_roles else "dotnet"
    other_skills = [s for s in ROLES[other_role][1] if s not in job.must + job.nice]
    filler = [s for s in role_skills if s not in job.must + job.nice]
    companies = rng.sample(COMPANIES, 5)
    titles = rng.sample(TITLES, 4)
    m = job.min_years
    projects: tuple[Project, ...] = ()
    if kind in ("strong", "good"):
        current = m + rng.choice([1, 2]) if kind == "strong" else m
        span_recent = _months(current * 0.6)
        musts = list(job.must)
        project_only = project_only and kind == "strong" and len(musts) > 2
        in_jobs = [s for s in musts if not (project_only and s == musts[2])]
        extra = list(job.nice) if kind == "strong" else []
        start = _career_start(current)
        jobs = [Job(titles[0], companies[0], NOW - span_recent, None, tuple(in_jobs + extra + filler[:1])),
                Job(titles[1], companies[1], start, NOW - span_recent - 1, tuple(in_jobs + extra[:1]))]
        if kind == "good":  # a concurrent side job, overlapping the current one
            jobs.append(Job("Freelance Developer", companies[2], NOW - span_recent + 6, NOW - 6,
                            (job.key_skill,), side=True))
        if rng.random() < 0.5:  # an earlier job after a career gap
            jobs.append(Job(titles[2], companies[3], start - 48, start - 20, tuple(filler[1:3]) or ("Git",)))
        if project_only:
            projects = (Project("Open-source maintainer", NOW - 30, None, (musts[2],)),)
        listed = tuple(dict.fromkeys([*in_jobs, *extra, *filler[:2]]))
    elif kind == "short":
        short_years = m - 2
        a_start = NOW - _months(short_years)
        skills = tuple(job.must)
        jobs = [Job(titles[0], companies[0], a_start, None, skills),
                Job("Freelance Developer", companies[1], a_start + 2, a_start + 2 + 24 + 1, (job.key_skill,), side=True),
                Job(titles[1], companies[2], a_start - 60, a_start - 14, tuple(other_skills[:2]) or ("Git",))]
        listed = tuple(dict.fromkeys(job.must))
    elif kind == "stuffer":
        start = NOW - _months(rng.choice([5, 7, 9]))
        jobs = [Job(titles[0], companies[0], start + 30, None, tuple(other_skills[:2])),
                Job(titles[1], companies[1], start, start + 29, tuple(other_skills[2:4]) or tuple(other_skills[:1]))]
        listed = tuple(dict.fromkeys([*job.must, *job.nice, *job.must, *other_skills[:3], *job.must]))
    else:  # unrelated
        start = NOW - _months(rng.choice([4, 6, 10]))
        jobs = [Job(titles[0], companies[0], start + 24, None, tuple(other_skills[:3])),
                Job(titles[1], companies[1], start, start + 23, tuple(other_skills[1:4]))]
        listed = tuple(other_skills[:5])
    style = rng.randrange(1000)
    if kind == "short" and style % 4 == 2:  # bare years ("2023 - 2025") would round the short years up
        style += 1
    career_start = min(j.start for j in jobs)
    graduation = career_start // 12 - rng.choice([0, 1])
    level, degree = rng.choice(DEGREES)
    return Profile(
        resume_id=resume_id, kind=kind, person=person, jobs=tuple(jobs), projects=projects, listed=listed,
        degree=(level, degree, rng.choice(FIELDS), rng.choice(SCHOOLS)), graduation=graduation,
        certifications=tuple(rng.sample(CERTIFICATIONS, rng.choice([0, 1, 2]))), layout=layout,
        style=style, phone=f"+44 20 79{rng.randint(10, 99)} {rng.randint(1000, 9999)}")


def make_parse_profile(resume_id: str, rng: random.Random, layout: str) -> Profile:
    """A resume for the parse task: a random career with overlaps, gaps and open-ended ranges."""
    role = rng.choice(list(ROLES))
    skills = ROLES[role][1]
    person = make_person(rng, rng.choice("FM"))
    n_jobs = rng.choice([2, 3, 4])
    jobs, end = [], None
    cursor = NOW
    for index in range(n_jobs):
        length = rng.randint(14, 40)
        start = cursor - length
        jobs.append(Job(rng.choice(TITLES), COMPANIES[(index + rng.randrange(5)) % len(COMPANIES)], start, end,
                        tuple(rng.sample(skills, rng.choice([2, 3, 4])))))
        gap = rng.choice([0, 0, 1, 10])  # a career gap now and then
        end = start - 1 - gap
        cursor = end
    if rng.random() < 0.5:  # overlapping side job
        jobs.insert(1, Job("Freelance Developer", "Self-employed", jobs[0].start + 3, jobs[0].start + 20,
                           (jobs[0].skills[0],), side=True))
    projects = (Project("Hobby project", NOW - 18, None, (rng.choice(skills),)),) if rng.random() < 0.5 else ()
    used = {s for j in jobs for s in j.skills} | {s for p in projects for s in p.skills}
    listed = tuple(sorted(used | set(rng.sample(skills, 2)), key=str.lower))
    level, degree = rng.choice(DEGREES)
    return Profile(
        resume_id=resume_id, kind="parse", person=person, jobs=tuple(jobs), projects=projects, listed=listed,
        degree=(level, degree, rng.choice(FIELDS), rng.choice(SCHOOLS)),
        graduation=min(j.start for j in jobs) // 12 - 1,
        certifications=tuple(rng.sample(CERTIFICATIONS, rng.choice([0, 1, 2]))), layout=layout,
        style=rng.randrange(1000), phone=f"+44 20 79{rng.randint(10, 99)} {rng.randint(1000, 9999)}")


def alias(skill: str, style: int, salt: int) -> str:
    """How a resume spells a skill: the common abbreviation in about half the resumes."""
    if skill in PREFERRED_ALIASES and (style + salt) % 2 == 0:
        return PREFERRED_ALIASES[skill]
    return skill


assert all(s in SKILLS for _, skills in ROLES.values() for s in skills)
