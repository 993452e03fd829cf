"""Names for measuring sanctions screening: ordinary people from many cultures, and the ways an
applicant's spelling of a listed person's name differs from the listing.

Why this exists: a screener tuned on one population of names says nothing about another. The
SDN list is dominated by Arabic, Persian, Russian, Korean and Spanish names, so a screener
that is quiet on Anglo names can still bury reviewers in candidates for an ordinary Mohammed
Hassan or Sergey Ivanov. So ordinary names are drawn per culture (common real given names and
surnames, in the shapes that culture uses: a father's name, a patronymic, two surnames), and
each measured number can be read per culture and per kind of spelling difference.

Nothing here was chosen by looking at how the screener scores it: the lists are common names
as they are, and the variant kinds are the ones a KYC reviewer sees on real forms.
"""
from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from rightsized.domains.bfsi_kyc.sanctions import SanctionsEntry, normalize_name


def _slavic_feminine(word: str) -> str:
    """A woman's form of a Russian surname or patronymic (Ivanov -> Ivanova, Sergeyevich ->
    Sergeyevna); Ukrainian -enko and -uk surnames do not change."""
    for male, female in (("ovich", "ovna"), ("evich", "evna"), ("skiy", "skaya")):
        if word.endswith(male):
            return word[: -len(male)] + female
    return word + "a" if word.endswith(("ov", "ev", "in")) else word


def _greek_feminine(surname: str) -> str:
    """A woman's form of a Greek surname (Papadopoulos -> Papadopoulou, Nikolaidis -> Nikolaidi);
    genitive surnames (Georgiou) do not change."""
    for male, female in (("os", "ou"), ("is", "i"), ("as", "a")):
        if surname.endswith(male):
            return surname[: -len(male)] + female
    return surname


@dataclass(frozen=True)
class Culture:
    """Common names of one naming culture and the shapes full names take in it.

    A shape spells a full name: `g` a given name, `m` a second given name of the same gender,
    `f` the father's given name (Arabic and Somali nasab), `p` a patronymic, `s` a surname
    (`ss`: two, as in Spanish and Portuguese). A shape listed twice is drawn twice as often.
    `feminine` turns a surname or patronymic into a woman's form where the language does that.
    """

    name: str
    country: str
    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...]
    shapes: tuple[str, ...] = ("gs",)
    patronymics: tuple[str, ...] = ()
    feminine: Callable[[str], str] | None = None


CULTURES: tuple[Culture, ...] = (
    Culture("arabic", "Egypt",
            ("Mohammed", "Ahmed", "Ali", "Omar", "Khaled", "Youssef", "Hassan", "Ibrahim", "Mahmoud",
             "Mustafa", "Abdullah", "Tariq", "Karim", "Samir"),
            ("Fatima", "Aisha", "Mariam", "Noor", "Layla", "Huda", "Salma", "Rania", "Amira", "Yasmin"),
            ("Al-Sayed", "Haddad", "Khalil", "Nasser", "Saleh", "Mansour", "Hamdan", "Abbas", "Al-Masri",
             "Darwish", "Farouk", "Qasim", "Aziz", "Hussein", "Othman", "Suleiman"),
            shapes=("gs", "gfs")),
    Culture("persian", "Iran",
            ("Mohammad", "Ali", "Reza", "Hossein", "Mehdi", "Amir", "Hamid", "Saeed", "Dariush", "Farhad",
             "Babak"),
            ("Zahra", "Maryam", "Fatemeh", "Narges", "Shirin", "Parisa", "Leila", "Niloufar"),
            ("Mohammadi", "Hosseini", "Ahmadi", "Rezaei", "Moradi", "Karimi", "Jafari", "Rahimi", "Hashemi",
             "Kazemi", "Ebrahimi", "Sadeghi", "Tehrani", "Rostami", "Ghorbani")),
    Culture("turkish", "Turkey",
            ("Mehmet", "Mustafa", "Ahmet", "Hüseyin", "Hasan", "Murat", "Emre", "Burak", "Kemal", "Osman"),
            ("Ayşe", "Fatma", "Zeynep", "Elif", "Emine", "Hatice", "Merve"),
            ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın", "Özdemir",
             "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin"),
            shapes=("gs", "gs", "gms")),
    Culture("south_asian", "India",
            ("Rahul", "Amit", "Rajesh", "Suresh", "Vikram", "Arjun", "Imran", "Asif", "Anil", "Sanjay"),
            ("Priya", "Anjali", "Sunita", "Pooja", "Neha", "Ayesha", "Farhana", "Lakshmi"),
            ("Sharma", "Patel", "Singh", "Kumar", "Gupta", "Khan", "Reddy", "Rao", "Iyer", "Chowdhury",
             "Hossain", "Malik", "Qureshi", "Das", "Nair", "Mehta"),
            shapes=("gs", "gs", "gms")),
    Culture("chinese", "China",
            ("Wei", "Jun", "Hao", "Lei", "Qiang", "Jian", "Tao", "Zhiwei", "Jianguo", "Haoran"),
            ("Fang", "Jing", "Na", "Xiuying", "Yan", "Mei", "Yuting", "Xiaoling"),
            ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma",
             "Zhu", "Hu", "Guo")),
    Culture("korean", "Korea, South",
            ("Min-jun", "Ji-hoon", "Seo-jun", "Hyun-woo", "Sung-min", "Dong-hyun", "Jae-won", "Young-ho"),
            ("Seo-yeon", "Ji-woo", "Min-ji", "Soo-jin", "Eun-ji", "Hye-jin", "Ji-young"),
            ("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han", "Oh", "Seo",
             "Shin", "Kwon")),
    Culture("vietnamese", "Vietnam",
            ("Minh", "Đức", "Hùng", "Tuấn", "Quang", "Long", "Hải", "Dũng"),
            ("Lan", "Hương", "Mai", "Linh", "Trang", "Thảo", "Ngọc", "Hoa"),
            ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương",
             "Lý"),
            shapes=("gs", "gms")),
    Culture("japanese", "Japan",
            ("Hiroshi", "Takeshi", "Kenji", "Haruto", "Daiki", "Satoshi", "Kazuki", "Takumi", "Ryo"),
            ("Yuko", "Akiko", "Sakura", "Yui", "Aoi", "Keiko", "Naomi", "Haruka"),
            ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi",
             "Kato", "Yoshida", "Yamada", "Sasaki", "Matsumoto", "Inoue")),
    Culture("russian_slavic", "Russia",
            ("Aleksandr", "Sergey", "Dmitriy", "Andrey", "Aleksey", "Vladimir", "Ivan", "Mikhail", "Nikolay",
             "Yuriy"),
            ("Olga", "Tatyana", "Natalya", "Yelena", "Irina", "Svetlana", "Anastasiya"),
            ("Ivanov", "Smirnov", "Kuznetsov", "Popov", "Vasilyev", "Petrov", "Sokolov", "Mikhaylov", "Novikov",
             "Fedorov", "Morozov", "Volkov", "Lebedev", "Kovalenko", "Shevchenko", "Kovalevskiy"),
            shapes=("gps", "gs"),
            patronymics=("Aleksandrovich", "Sergeyevich", "Dmitriyevich", "Andreyevich", "Vladimirovich",
                         "Ivanovich", "Mikhaylovich", "Nikolayevich", "Yuryevich", "Viktorovich"),
            feminine=_slavic_feminine),
    Culture("west_african", "Nigeria",
            ("Kwame", "Kofi", "Chukwuemeka", "Oluwaseun", "Abubakar", "Musa", "Mamadou", "Moussa", "Emeka",
             "Tunde"),
            ("Ama", "Abena", "Ngozi", "Chiamaka", "Aminata", "Fatou", "Folake", "Adaeze"),
            ("Mensah", "Owusu", "Boateng", "Okafor", "Okeke", "Adeyemi", "Adebayo", "Diallo", "Traoré", "Diop",
             "Ndiaye", "Bello", "Eze", "Asante", "Keita")),
    Culture("east_african", "Kenya",
            ("Juma", "Baraka", "Daudi", "Tesfaye", "Dawit", "Yonas", "Abdi", "Mohamud", "Joseph", "Brian"),
            ("Wanjiru", "Achieng", "Amina", "Halima", "Tigist", "Hirut", "Neema", "Grace"),
            ("Kamau", "Mwangi", "Otieno", "Ochieng", "Kiprop", "Mutua", "Njoroge", "Omondi", "Haile", "Bekele",
             "Tadesse", "Girma", "Warsame", "Farah", "Abdullahi"),
            shapes=("gs", "gs", "gfs")),
    Culture("latin_american", "Mexico",
            ("José", "Juan", "Luis", "Carlos", "Jorge", "Miguel", "Alejandro", "Javier", "Fernando", "Diego"),
            ("María", "Ana", "Carmen", "Laura", "Gabriela", "Sofía", "Lucía", "Valentina"),
            ("García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez",
             "Ramírez", "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Morales", "Castillo"),
            shapes=("gss", "gss", "gs", "gmss")),
    Culture("portuguese_brazilian", "Brazil",
            ("João", "Pedro", "Lucas", "Gabriel", "Rafael", "Paulo", "Antônio", "Francisco", "Tiago",
             "Marcelo"),
            ("Ana", "Beatriz", "Mariana", "Juliana", "Fernanda", "Camila", "Letícia"),
            ("Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Ferreira", "Almeida", "Carvalho",
             "Gomes", "Ribeiro", "Martins", "Rocha", "Lima", "Barbosa", "Araújo"),
            shapes=("gss", "gs", "gmss")),
    Culture("french", "France",
            ("Jean", "Pierre", "Nicolas", "Thomas", "Julien", "Philippe", "Antoine", "Mathieu", "Olivier",
             "François"),
            ("Marie", "Camille", "Sophie", "Élodie", "Claire", "Isabelle", "Céline"),
            ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
             "Simon", "Laurent", "Lefèvre", "Michel", "Fontaine", "Rousseau"),
            shapes=("gs", "gs", "gms")),
    Culture("german", "Germany",
            ("Thomas", "Michael", "Andreas", "Stefan", "Markus", "Jürgen", "Klaus", "Lukas", "Jonas", "Tobias"),
            ("Sabine", "Ursula", "Monika", "Anna", "Katharina", "Julia", "Lena"),
            ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
             "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf"),
            shapes=("gs", "gs", "gms")),
    Culture("nordic", "Sweden",
            ("Lars", "Anders", "Erik", "Johan", "Mikael", "Nils", "Henrik", "Magnus", "Søren", "Bjørn"),
            ("Ingrid", "Astrid", "Kari", "Sigrid", "Freja", "Linnea", "Maja", "Sofie"),
            ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsen", "Hansen", "Jensen",
             "Nielsen", "Pedersen", "Olsen", "Virtanen", "Korhonen", "Jónsson", "Lindqvist", "Berg")),
    Culture("anglo", "United Kingdom",
            ("James", "John", "Robert", "Michael", "William", "David", "Richard", "Thomas", "Christopher",
             "Daniel"),
            ("Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Sarah", "Jessica", "Emily"),
            ("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor",
             "Anderson", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker"),
            shapes=("gs", "gs", "gms")),
    Culture("greek", "Greece",
            ("Georgios", "Dimitrios", "Konstantinos", "Ioannis", "Nikolaos", "Panagiotis", "Christos",
             "Vasileios"),
            ("Maria", "Eleni", "Aikaterini", "Vasiliki", "Sofia", "Georgia", "Dimitra"),
            ("Papadopoulos", "Papadakis", "Georgiou", "Nikolaidis", "Pappas", "Vlachos", "Oikonomou",
             "Karagiannis", "Makris", "Dimitriou", "Konstantinidis", "Alexiou", "Ioannou", "Christodoulou",
             "Antonopoulos"),
            feminine=_greek_feminine),
    Culture("hebrew", "Israel",
            ("David", "Moshe", "Yosef", "Avraham", "Yitzhak", "Daniel", "Noam", "Eitan", "Ariel", "Yonatan"),
            ("Sara", "Rivka", "Tamar", "Noa", "Shira", "Yael", "Miriam", "Esther"),
            ("Cohen", "Levi", "Mizrahi", "Peretz", "Biton", "Dahan", "Avraham", "Friedman", "Katz", "Azoulay",
             "Ben-David", "Shapiro", "Goldberg", "Ohana", "Malka")),
    Culture("indonesian", "Indonesia",
            ("Budi", "Agus", "Ahmad", "Joko", "Eko", "Hendra", "Rudi", "Bambang", "Andi", "Dwi"),
            ("Siti", "Sri", "Dewi", "Putri", "Ayu", "Indah", "Rina", "Wulan"),
            ("Santoso", "Wijaya", "Saputra", "Hidayat", "Kusuma", "Setiawan", "Pratama", "Nugroho", "Susanto",
             "Halim", "Gunawan", "Siregar", "Nasution", "Hakim", "Lubis"),
            # Many Indonesians have a single name, which is what their passport shows.
            shapes=("gs", "gs", "gms", "g")),
)

BIRTH_RANGE = (date(1950, 1, 1), date(2005, 12, 31))


def full_name(culture: Culture, rng: random.Random) -> str:
    """One full name in one of the culture's shapes, in given-names-first order."""
    female = rng.random() < 0.5
    own = culture.female if female else culture.male
    shape = rng.choice(culture.shapes)
    first = rng.choice(own)
    surnames = rng.sample(culture.surnames, shape.count("s"))
    parts = [first]
    if "m" in shape:
        parts.append(rng.choice([n for n in own if n != first]))
    if "f" in shape:
        parts.append(rng.choice(culture.male))
    if "p" in shape:
        parts.append(rng.choice(culture.patronymics))
        if female and culture.feminine:
            parts[-1] = culture.feminine(parts[-1])
    if female and culture.feminine:
        surnames = [culture.feminine(s) for s in surnames]
    return " ".join([*parts, *surnames])


@dataclass(frozen=True)
class OrdinaryPerson:
    name: str
    birth_date: date
    culture: str
    country: str


def ordinary_people(n: int, seed: int, *, is_listed: Callable[[str, date], bool]) -> list[OrdinaryPerson]:
    """`n` distinct people, cultures in rotation (so each gets n / len(CULTURES)), each born on a
    random day in `BIRTH_RANGE`. A drawn person for whom `is_listed` is true — someone with a
    listed name and a DOB the listing allows — is a real hit, not an ordinary name, and is
    drawn again."""
    rng = random.Random(seed)
    first, last = BIRTH_RANGE
    people: list[OrdinaryPerson] = []
    seen: set[str] = set()
    for i in range(n):
        culture = CULTURES[i % len(CULTURES)]
        while True:
            name = full_name(culture, rng)
            born = first + timedelta(days=rng.randint(0, (last - first).days))
            key = normalize_name(name)
            if key not in seen and not is_listed(name, born):
                break
        seen.add(key)
        people.append(OrdinaryPerson(name, born, culture.name, culture.country))
    return people


# --- how an applicant's spelling of a listed name differs ---------------------------------------

VARIANT_KINDS = ("exact", "swapped", "diacritics", "typo", "dropped_middle", "alias", "hyphen_joined")
_ACCENTS = {"a": "á", "e": "é", "o": "ö", "u": "ü", "i": "í", "n": "ñ", "c": "ç"}
_ACCENTS |= {k.upper(): v.upper() for k, v in _ACCENTS.items()}
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _parts(listed: str) -> tuple[list[str], list[str]]:
    """(given-name tokens, surname tokens) of an OFAC person name, "LAST, First Middle"; a name
    without a comma is all given names but its last word."""
    if "," in listed:
        last, _, first = listed.partition(",")
        return first.replace(",", " ").split(), last.split()
    tokens = listed.split()
    return tokens[:-1], tokens[-1:]


def natural_order(listed: str) -> str:
    """"LAST, First Middle" -> "First Middle Last": how the person writes it on a form."""
    given, surname = _parts(listed)
    return " ".join([*given, *surname]).title()


def swap_order(listed: str) -> str | None:
    """Surname first without the comma ("Last First Middle"), as an MRZ or an East Asian form
    orders it. None for a one-word name."""
    given, surname = _parts(listed)
    return " ".join([*surname, *given]).title() if given and surname else None


def add_diacritics(name: str, rng: random.Random) -> str | None:
    """One accent on a random accentable letter of every word that has one (Hassan Ali -> Hássan Alí),
    the way forms and OCR add marks the listing lacks. Latin names only; None if nothing
    changes."""
    if not name.isascii():
        return None
    words = []
    for word in name.split(" "):
        spots = [i for i, c in enumerate(word) if c in _ACCENTS]
        if spots:
            i = rng.choice(spots)
            word = word[:i] + _ACCENTS[word[i]] + word[i + 1:]
        words.append(word)
    accented = " ".join(words)
    return accented if accented != name else None


def one_typo(name: str, rng: random.Random) -> str | None:
    """One letter substituted or deleted, anywhere in one word of 5+ characters. None when no
    word is that long."""
    words = name.split(" ")
    long_words = [i for i, w in enumerate(words) if len(w) >= 5]
    if not long_words:
        return None
    w = rng.choice(long_words)
    word = words[w]
    at = rng.choice([i for i, c in enumerate(word) if c.isalpha()])
    if rng.random() < 0.5:
        word = word[:at] + word[at + 1:]
    else:
        letter = rng.choice([c for c in _LETTERS if c != word[at].lower()])
        word = word[:at] + (letter.upper() if word[at].isupper() else letter) + word[at + 1:]
    words[w] = word
    return " ".join(words)


def drop_middle_name(listed: str, rng: random.Random) -> str | None:
    """A middle name (a given name after the first) left out, in natural order. None unless
    the person has one, i.e. the name has at least three words."""
    given, surname = _parts(listed)
    if len(given) < 2 or not surname:
        return None
    del given[rng.randrange(1, len(given))]
    return " ".join([*given, *surname]).title()


def join_hyphens(name: str) -> str | None:
    """The name as many issuers print it, hyphens dropped between letters ("Safwan Al-Akhras" ->
    "Safwan Alakhras", "Song-Hyok Ri" -> "Songhyok Ri"). None when the name has no such hyphen."""
    joined = re.sub(r"(?<=[^\W\d_])-(?=[^\W\d_])", "", name)
    return joined.title() if joined != name else None


def pick_alias(entry: SanctionsEntry, rng: random.Random) -> str | None:
    """One of the entry's aliases that is not its primary name respelled, in natural order."""
    primary = sorted(normalize_name(entry.name).split())
    aliases = [a for a in entry.aliases
               if normalize_name(a) and sorted(normalize_name(a).split()) != primary]
    return natural_order(rng.choice(aliases)) if aliases else None


def listed_variant(entry: SanctionsEntry, kind: str, rng: random.Random) -> str | None:
    """The entry's name as an applicant might write it, per `VARIANT_KINDS`; None when the kind
    does not apply to this entry (no alias, no middle name, no long word, no hyphen, not Latin)."""
    exact = natural_order(entry.name)
    variants: dict[str, Callable[[], str | None]] = {
        "exact": lambda: exact,
        "swapped": lambda: swap_order(entry.name),
        "diacritics": lambda: add_diacritics(exact, rng),
        "typo": lambda: one_typo(exact, rng),
        "dropped_middle": lambda: drop_middle_name(entry.name, rng),
        "alias": lambda: pick_alias(entry, rng),
        "hyphen_joined": lambda: join_hyphens(exact),
    }
    return variants[kind]()


def listed_people(entries: list[SanctionsEntry], n: int, seed: int, *,
                  exclude: set[str]) -> Iterator[tuple[SanctionsEntry, str, str, date]]:
    """`n` listed individuals with a full DOB, none of `exclude`, as (entry, variant kind, name
    as written, DOB): kinds in rotation, each drawn from the individuals that kind applies to,
    so every kind gets n / len(VARIANT_KINDS) people and no person is used twice."""
    rng = random.Random(seed)
    pool = sorted((e for e in entries if e.entry_type == "individual" and e.uid not in exclude
                   and any(len(d) == 10 for d in e.birth_dates)), key=lambda e: int(e.uid))
    rng.shuffle(pool)
    used: set[str] = set()
    for i in range(n):
        kind = VARIANT_KINDS[i % len(VARIANT_KINDS)]
        case_rng = random.Random(f"{seed}-{i}")
        for entry in pool:
            if entry.uid not in used and (written := listed_variant(entry, kind, case_rng)) is not None:
                break
        else:
            raise ValueError(f"no listed individual left for variant kind '{kind}'")
        used.add(entry.uid)
        born = date.fromisoformat(case_rng.choice([d for d in entry.birth_dates if len(d) == 10]))
        yield entry, kind, written, born
