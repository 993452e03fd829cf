"""Presidio recognizers for the Safe Harbor identifiers of clinical notes.

Why our own recognizers instead of Presidio's predefined set: the predefined ones are tuned for
general text and mislabel clinical numbers (an MRN read as a bank account or a driver's licence),
their e-mail/URL validation looks the public-suffix list up on the network, and their context
words need a lemmatising NLP pass per note. Here each identifier is found by a regular expression
that carries its own context (a label such as "MRN:", a title such as "Dr.", a relation such as
"her daughter"), so detection needs no model and costs a few milliseconds per note. Names that
come with no context are left to the spaCy NER layer (`SpacyNameRecognizer`), which runs only on
the sentences that could hold one (it is the expensive part of de-identification).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import regex
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from spacy.lang.en.stop_words import STOP_WORDS

from rightsized.domains.healthcare_notes.lexicon import KNOWN_CAPS, NOT_NAMES
from rightsized.domains.healthcare_notes.phi import DATE_PATTERNS, SPELLED_AGE

_NT = r"(?:(?:\p{Lu}['’]\p{Lu}\p{Ll}+|\p{Lu}\p{Ll}+(?:\p{Lu}\p{Ll}+)?)(?:[-'’]\p{L}\p{Ll}+)?)"
_PARTICLE = r"(?:van|von|der|de|da|del|della|di|du|la|le|bin|ibn|al|el|ter|ten|dos|das)"
NAME = rf"{_NT}(?:[ \t]+(?:\p{{Lu}}\.|{_PARTICLE}[ \t]+{_NT}|{_NT})){{0,3}}"
_UNT = r"\p{Lu}[\p{Lu}'’-]+"
# Surname first ("RIVERA, JOSÉ LUIS M."): one or two given names, then perhaps an initial, which must
# end the word ("Name: HUGHES, EDITH Age: 93" is no initial "A" followed by "ge: 93"). A second
# given name is never one of the header's field labels ("SMITH, JOHN MRN 1234").
_HEADER_FIELD = r"(?:DOB|D\.O\.B\.|MRN|AGE|SEX)\b"
_UPPER_GIVEN = rf"{_UNT}(?:[ ](?!{_HEADER_FIELD}){_UNT})?(?:[ \t]+\p{{Lu}}(?:\.|(?!\p{{L}})))?"
LAST_FIRST = rf"(?:{_UNT},[ \t]*{_UPPER_GIVEN}|{_NT},[ \t]*{_NT}(?:[ \t]+\p{{Lu}}\.)?)"
# First name first in capitals, as record headers print it ("PATIENT NAME: GRETCHEN HOLLOWAY"): only
# after a label that always introduces a person. "CC:" (chief complaint), "To:" or "Consultant:"
# are followed by capitals that are not names ("CC: CHEST PAIN", "CONSULTANT: CARDIOLOGY SERVICE").
UPPER_NAME = rf"{_UNT}(?:[ ](?:\p{{Lu}}\.|{_UNT})){{1,3}}(?![\p{{Ll}}])"  # one space: fields on a header line are apart
_PERSON_LABELS = ("patient|patient name|name|attending|attending physician|physician|pcp|primary care physician|"
                  "primary care provider|referring physician|referring provider|resident|radiologist|surgeon|"
                  "dictated by|signed by|electronically signed by|transcribed by|reviewed by|emergency contact|"
                  "next of kin|guarantor|subscriber|caregiver|interpreter")
_GROUPS = r"(?:TEAM|SERVICE|SERVICES|STAFF|UNIT|CLINIC|DEPARTMENT|DEPT|GROUP|CENTER|CENTRE|HOSPITAL|ON FILE|UNKNOWN)"
_TITLE = r"(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof)\.?[ \t]+"
# A surname in capitals after a title, as UK letters write it ("Re: Mrs Edith Margaret HUGHES, DOB"):
# three or more letters, no credential, and ending the phrase, so "Mr. Smith COPD exacerbation"
# keeps its abbreviation.
_CAPS_SURNAME = r"(?!(?:MD|DO|RN|NP|PA|PHD|MBBS|FRCP|MRCP)\b)\p{Lu}{2}[\p{Lu}'’-]*\p{Lu}(?=[ \t]*(?:[,;:)\n]|\.(?!\w)|$))"
# Initials before a name ("Dr. B. Ortiz", "Nurse: J. K. Rowe"): one space after each, and the name
# after them must not be a word that opens a sentence ("Dr. X.  He was seen", "Dr. X. Blood
# pressure"): see `_only_known_words`.
_INITIALS = r"(?:\p{Lu}\.[ ](?=\p{Lu})){0,2}"
_LABELS = ("patient|patient name|name|attending|attending physician|physician|provider|pcp|primary care physician|"
           "primary care provider|referring physician|referring provider|consultant|resident|radiologist|surgeon|"
           "dictated by|signed by|electronically signed by|transcribed by|reviewed by|author|cc|to|from|"
           "emergency contact|next of kin|guarantor|subscriber|caregiver|interpreter|contact|nurse|rn|primary nurse|"
           "charge nurse|therapist|pharmacist|social worker|case manager|guardian|witness|proxy|"
           "health care proxy|healthcare proxy|hcp|power of attorney|poa|informant|historian|cosigned by|"
           "co-signed by|addendum by|ordering provider|authorizing provider|referring md|referring doctor")
# "-in-law" may follow any of them ("Daughter-in-law Hana", "son-in-law").
_RELATIONS = ("wife|husband|spouse|partner|son|daughter|mother|father|brother|sister|niece|nephew|grandson|"
              "granddaughter|grandmother|grandfather|aunt|uncle|friend|neighbou?r|caregiver|guardian|fianc[ée]e?|"
              "roommate|stepson|stepdaughter")
_IN_LAW = r"(?i:-in-law)?"
_KIN = ("wife|husband|spouse|son|daughter|mother|father|brother|sister|niece|nephew|grandson|granddaughter|"
        "grandmother|grandfather|aunt|uncle|stepson|stepdaughter")
_RELATION_TRIGGERS = ("wife", "husband", "spouse", "partner", "son", "daughter", "mother", "father", "brother", "sister",
                      "niece", "nephew", "grand", "aunt", "uncle", "friend", "neighbo", "caregiver", "guardian", "fianc",
                      "roommate")


def _words(words: Iterable[str]) -> str:
    """`words` as one regex alternation, sorted: a set's order changes with each process's string
    hashing, and the pattern must not (it is part of the redactor's fingerprint)."""
    return "|".join(sorted(words))


# Names typed in lower case ("seen by dr. patel today", "per nurse jones", "pt: maria lopez, 67 y/o"):
# only the context says they are names, so one is read only right after a title, after "nurse" with
# a word such as "per" or "by" before it, or after a person label followed by the record's fields,
# and never a common word. "mr." and "ms." in lower case are also mitral regurgitation and multiple
# sclerosis, so only their capitalised forms count. A second word is taken only where the name
# plainly ends after it ("dr. james chen," / "dr. james chen aware" / "dr. james chen reviewed the
# films": a past-tense verb; "dr. james chen reviews the films", "dr. james chen is aware": a reporting
# verb or an auxiliary), so that "Mr. smith tolerated the procedure" keeps its verb.
_COMMON = _words({w for w in STOP_WORDS if w.isalpha()} | {w.lower() for w in KNOWN_CAPS} | NOT_NAMES)
_LWORD = rf"(?!(?:{_COMMON})\b)(?:\p{{Ll}}['’])?\p{{Ll}}{{2,}}(?:-\p{{Ll}}{{2,}})?\b"
# Auxiliaries end a name too ("dr. james chen is aware", "dr. james chen will call"), though as stop
# words they are never a name's second word anyway.
_AUXILIARIES = "is|was|has|had|will|would|can|could|should|did|does|must"
_NAME_ENDS = rf"(?=[ \t]*(?:[,.;:!?)\n]|$|\d)|[ \t]+(?:{_words(NOT_NAMES)}|{_AUXILIARIES}|\p{{Ll}}{{3,}}ed)\b)"
LOWER_NAME = rf"{_LWORD}(?:[ \t]+{_LWORD}{_NAME_ENDS})?"
_LOWER_TITLE = r"(?:(?i:dr|mrs|prof)\.?|M[rs]\.?)[ \t]+"
_RECORD_FIELD = r"[ \t]*[,;(]?[ \t]*(?:\d|(?i:dob|d\.o\.b|mrn|age|sex|male|female|[mf])\b)"
# Followed by a colon a credential is a label ("Referring MD: Kowalczyk"): the name is after it.
_CREDENTIALS = r"(?:MD|M\.D\.|DO|D\.O\.|RN|NP|PA-C|FNP-BC|FNP|APRN|PhD|PharmD|MSW|LCSW|DPM|CNM|CRNA)\b(?![ \t]*:)"
_PHONE = r"(?:\+?1[ .-]?)?(?:\(\d{3}\)[ ]?|\d{3}[ .-])\d{3}[ .-]\d{4}(?:[ ]*(?:x|ext\.?)[ ]*\d{1,5})?"
# UK numbers after their label ("Tel 020 7377 7000", "mobile 07700 900123"): eleven digits from 0.
_UK_PHONE = r"0\d{2}[ ]\d{4}[ ]\d{4}|0\d{4}[ ]\d{6}"
_STATES = ("AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|"
           "NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR")
_STREET = ("Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|"
           "Parkway|Pkwy|Circle|Cir|Highway|Hwy|Trail|Trl|Square|Sq|Loop|Row|Path|Pike|Alley")
# Outside the US (Safe Harbor removes every geographic unit below the state, whatever the country):
# UK postcodes (NW1 6XE, SW1A 1AA), Canadian postal codes (M5H 1J9) and Irish Eircodes (D02 X285).
# Unlabelled, each needs its space, capitals and (Eircode) a letter and a digit in its second half,
# which no lab value, spine level or staging code ("T12", "T1N0M0") has.
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?[ ]\d[ABD-HJLNP-UW-Z]{2}"
_CA_POSTCODE = r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ ]\d[ABCEGHJ-NPRSTV-Z]\d"
_EIRCODE = (r"(?:[AC-FHKNPRTV-Y]\d{2}|D6W)[ ](?=[0-9AC-FHKNPRTV-Y]{0,3}\d)(?=[0-9AC-FHKNPRTV-Y]{0,3}[A-Z])"
            r"[0-9AC-FHKNPRTV-Y]{4}")
_POSTCODE = f"{_UK_POSTCODE}|{_CA_POSTCODE}|{_EIRCODE}"
# Labelled ("Postcode: SW1A1AA"), the space may be missing.
_LABELLED_POSTCODE = _POSTCODE.replace("[ ]", "[ ]?")
_PROVINCES = "AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT"
# ACT and NT are also activated clotting time ("Heparin ACT 1200") and non-tender, so they count
# only before a postcode of their own: ACT 26xx or 29xx, which is neither a clotting time (seconds,
# at most about 1000) nor a clock time; NT 08xx only where it ends the line or clause, as "0800"
# after "NT" is as often a time ("Abd soft, NT 0800 BM x1"). ACT's 02xx (ANU) is left out: "ACT 0230".
_AU_STATES = "NSW|VIC|QLD|TAS|SA|WA"
_AU_POSTCODE = (rf"(?:(?:{_AU_STATES})[ \t]+\d{{4}}\b|ACT[ \t]+(?:26|29)\d\d\b"
                rf"|NT[ \t]+08\d\d\b(?=[ \t]*(?:[,;\n]|\.(?!\d)|$)))")
# What follows a city in an address line: a US state and ZIP, a UK postcode, a province and postal
# code, an Australian state and postcode.
# The ZIP ends there: "Pt ID 4417823" is no city before Idaho.
_AFTER_CITY = (rf"(?:(?:{_STATES})\.?[ \t]+\d{{5}}(?:-\d{{4}})?\b|{_UK_POSTCODE}|(?:{_PROVINCES})[ \t]+{_CA_POSTCODE}"
               rf"|{_AU_POSTCODE})")
# Continental streets name their type inside the word or before the name, with the number after
# ("Hauptstraße 5", "Calle Mayor 12") or before ("7 Rue de Rivoli"), then perhaps the postcode and
# city. Not "Via" ("Via Port 2 the scope was passed") nor "-gade" ("Brigade 5"): English words.
_EU_STREET = (r"(?:\p{Lu}\p{Ll}+(?:straße|strasse|str\.|weg|gasse|platz|allee|damm|ufer|straat|laan|gracht|vej|"
              r"gatan|vägen|veien)|(?:Rue|Viale|Piazza|Calle|Avenida|Rua|Carrer|Paseo)"
              rf"(?:[ \t]+(?:{_PARTICLE}|des|los|las|do))*[ \t]+\p{{Lu}}\p{{L}}+)")
# Italian "Via"/"Corso" streets ("Via Roma 12, 00184 Roma"): "Via" is an English word too ("Via
# Port 2 the scope was passed", "via Port 2, Trocar placed"), so only with the five-digit CAP after
# the number, or after "lives at", "resides at" or an address label.
_IT_STREET = rf"(?:Via|Corso)(?:[ \t]+(?:{_PARTICLE}|dei|delle|degli|dello))*(?:[ \t]+\p{{Lu}}\p{{L}}+){{1,3}}[ \t]+\d{{1,4}}[a-z]?\b"
_UNIT = r"(?:,?[ \t]+(?:Apt|Apartment|Unit|Suite|Ste|Room|Rm|Floor|Fl|#)\.?[ \t]*#?[A-Z0-9-]+)?"
_ID = r"(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,30}[A-Z0-9]"
_NUM = r"(?i:number|no\.?|#|id)"
_PLATE = r"[A-Z0-9]{1,4}[- ]?[A-Z0-9]{2,5}"
_SEP = r"[ \t]*#?[ \t]*[:#]?[ \t]*"  # between a label and its value: "MRN: ", "MRN #", "MRN#:", "MRN "
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass(frozen=True)
class Rule:
    """One way an identifier is written: the regex's group `v` (or the whole match) is the value."""

    kind: str
    pattern: str
    score: float = 0.85
    flags: int = 0
    # Lower-case substrings one of which the text must hold for the rule to be tried at all: a
    # labelled identifier cannot be there without its label (a cheap pre-filter, not a match).
    triggers: tuple[str, ...] = ()
    # A test the value must pass too, where a regex would say it clumsily.
    check: Callable[[str], bool] | None = None


_SPINE_LEVEL = regex.compile(r"[CTLS]\d{1,2}(?:[- ]?[CTLS]?\d{1,2})?")
_PLATE_PARTS = regex.compile(r"[- ]")


def _looks_like_plate(value: str) -> bool:
    """A plate after "plate" or "tag" alone ("plate ABC 1234", "tag 8ABC123", "reg. plate AB12 CDE"):
    both words are clinical too (bone plate, growth plate, skin tag, "Tag 2 sent"), so the value
    must look like a plate: five or more capitals and digits, both kinds, neither a spine level
    ("plate at C5-C6", "T12-L1") nor a number and a word ("PLATE 14 HOLES")."""
    parts = _PLATE_PARTS.split(value)
    chars = "".join(parts)
    return (len(chars) >= 5 and any(c.isdigit() for c in chars) and any(c.isalpha() for c in chars)
            and not _SPINE_LEVEL.fullmatch(value) and not any(len(p) >= 4 and p.isalpha() for p in parts))


RULES: tuple[Rule, ...] = (
    # Names with context: titles, labels, relations, credentials, salutations, "X is a 67-year-old".
    Rule("NAME", rf"\b{_TITLE}(?P<v>{_INITIALS}(?:{NAME}(?:[ \t]+{_CAPS_SURNAME})?|{_CAPS_SURNAME}))", 0.9),
    Rule("NAME", rf"\b(?i:{_LABELS})(?:[ \t]*\([^)\n]{{1,30}}\))?[ \t]*:[ \t]*(?:{_TITLE})?(?P<v>{LAST_FIRST}|{_INITIALS}{NAME})", 0.9),
    # "Pt: HUGHES, EDITH M": "pt:" opens clinical text too ("Pt: Alert, oriented"), so only surname first.
    Rule("NAME", rf"\b(?i:pt)[ \t]*:[ \t]*(?P<v>{LAST_FIRST})", 0.85, triggers=("pt",)),
    Rule("NAME", rf"\b(?i:{_PERSON_LABELS})[ \t]*:[ \t]*(?:{_TITLE})?(?!(?:{_UNT}[ \t]+)*{_GROUPS}\b)"
                 rf"(?P<v>{UPPER_NAME})", 0.9),
    Rule("NAME", rf"\b(?i:{_RELATIONS}){_IN_LAW}(?:[ \t]*[,–-][ \t]*|[ \t]*\([ \t]*|[ \t]+)(?P<v>{NAME})", 0.8, triggers=_RELATION_TRIGGERS),
    Rule("NAME", rf"(?P<v>{_INITIALS}{NAME}),?[ \t]+{_CREDENTIALS}", 0.9),
    # A record header's "JOHNSON, MARY  DOB 01/02/1950": capitals, surname first, then the record's fields.
    Rule("NAME", rf"^[ \t]*(?P<v>{_UNT},[ \t]*{_UPPER_GIVEN})(?=[ \t,]+(?:DOB|D\.O\.B\.|MRN|Age|Sex|[MF][ \t,]|\d))",
         0.85, regex.M),
    Rule("NAME", rf"\bDear[ \t]+(?:{_TITLE})?(?P<v>{NAME})", 0.9, triggers=("dear",)),
    # Portal messages and letters: "Hi Maria,", "Thanks, Bob", "Best regards,\nAna Lima".
    Rule("NAME", rf"\b(?:Hi|Hello|Hey)[ \t]+(?:{_TITLE})?(?P<v>{NAME})(?=[ \t]*[,!:\n])", 0.8, triggers=("hi", "hello", "hey")),
    Rule("NAME", rf"\b(?:Thanks|Thank you|Regards|Best regards|Kind regards|Best|Cheers|Sincerely),?[ \t]*\n?[ \t]*"
                 rf"(?P<v>{_INITIALS}{NAME})[ \t]*(?:\n|$)", 0.8, regex.M, triggers=("thank", "regards", "best", "cheers", "sincerely")),
    Rule("NAME", rf"(?P<v>{NAME})[ \t]+is[ \t]+an?[ \t]+\d{{1,3}}[- ](?:year|yr|month)", 0.85, triggers=(" is a",)),
    Rule("NAME", rf"\b{_LOWER_TITLE}(?P<v>{LOWER_NAME})", 0.8, triggers=("dr", "mr", "ms", "prof")),
    Rule("NAME", rf"\b(?i:per|by|with|from|to|called|paged|informed|told|asked|d/w)[ \t]+(?i:nurse)[ \t]+"
                 rf"(?P<v>{LOWER_NAME})", 0.8, triggers=("nurse",)),
    # A relative's name in lower case ("grandson lukas called", "wife maria at bedside"): "mother
    # died.", "father smokes", "son lives nearby" are far more common after a relation, so only after
    # kin ("caregiver instruction;" is a noun), never a past tense, participle, adverb or abstract
    # noun, and a word that ends a name must follow ("called", "aware", "at bedside"): a full stop
    # alone does not ("her sister came.").
    Rule("NAME", rf"\b(?i:{_KIN}){_IN_LAW}[ \t]+(?P<v>(?!\p{{Ll}}+(?:ed|ing|ly|tion|sion|ment|ness|ity|ship|hood|ism)\b)"
                 rf"{_LWORD})"
                 rf"(?=[ \t]+(?:{_words(NOT_NAMES)}|{_AUXILIARIES}|\p{{Ll}}{{3,}}ed|(?:at|in)[ \t]+(?:the[ \t]+)?bedside)\b)",
         0.75,
         triggers=_RELATION_TRIGGERS),
    # Nursing signatures typed in lower case at the end of a line: "-- j. okafor rn", "- m. delacroix, rn".
    Rule("NAME", rf"(?<!\p{{L}})(?P<v>\p{{Ll}}\.[ \t]?{_LWORD}),?[ \t]+(?:rn|lpn|lvn|cna|np|md)\.?[ \t]*$", 0.8,
         regex.M, triggers=("rn", "lpn", "lvn", "cna", "np", "md")),
    Rule("NAME", rf"\b(?i:pt|patient)[ \t]*:[ \t]*(?P<v>{_LWORD}[ \t]+{_LWORD})(?={_RECORD_FIELD})", 0.8,
         triggers=("pt", "patient")),
    Rule("NAME", rf"(?:^[ \t]*|\b(?i:pt|patient)[ \t]+)(?i:name)[ \t]*:[ \t]*(?P<v>{LOWER_NAME})", 0.8, regex.M,
         triggers=("name",)),
    Rule("NAME", rf"\b(?i:seen by|accompanied by|discussed with|spoke with|evaluated by|addendum by|cosigned by|co-signed by)[ \t]+(?:{_TITLE})?(?P<v>{NAME})", 0.8, triggers=("seen by", "accompanied by", "discussed with", "spoke with", "evaluated by", "addendum by", "signed by")),
    # Numbers that identify.
    Rule("SSN", r"\b(?P<v>\d{3}-\d{2}-\d{4})\b", 0.8),
    Rule("SSN", rf"(?i:SSN|social security(?:[ \t]+(?:number|no\.?|#))?){_SEP}(?P<v>\d{{3}}[ -]?\d{{2}}[ -]?\d{{4}})\b", 0.95, triggers=("ssn", "social security")),
    Rule("FAX", rf"(?i:fax|facsimile)[ \t]*(?:{_NUM})?{_SEP}(?P<v>{_PHONE})", 0.95, triggers=("fax", "facsimile")),
    Rule("PHONE", rf"(?<![\d-])(?P<v>{_PHONE})\b", 0.7),
    # International, with its country code: +44 20 7946 0958, +49 (0)30 1234567, +91-98765-43210.
    Rule("PHONE", r"(?<![\w+])(?P<v>\+\d{1,3}[ .-]?(?:\(0\)[ ]?)?\(?\d{1,5}\)?(?:[ .-]?\d{2,5}){1,4})\b", 0.75, triggers=("+",)),
    Rule("PHONE", rf"\b(?i:phone|tel|telephone|cell|mobile|pager|ph)\.?[ \t]*(?:number|no\.?|#)?{_SEP}(?P<v>\d{{3}}[ .-]?\d{{7}}|\d{{10}}|{_UK_PHONE})\b", 0.9, triggers=("phone", "tel", "cell", "mobile", "pager", "ph")),
    # Ten bare digits with no label ("reach her daughter on 6175550142"): no vital, dose or lab value
    # has ten digits, so it is a phone (or another identifier) either way; a labelled rule above
    # names it when there is a label.
    Rule("PHONE", r"(?<![\d.,/-])(?P<v>\d{10})(?![\d.,/-])", 0.5),
    Rule("EMAIL", r"\b(?P<v>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)\b", 0.95, triggers=("@",)),
    Rule("URL", r"(?P<v>\b(?:https?://|www\.)[^\s<>\"')\]]*[^\s<>\"')\].,;:])", 0.9, triggers=("http", "www.")),
    Rule("URL", r"\b(?P<v>[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|edu|gov|health|io|us|info)(?:/[^\s<>\"')\]]*[^\s<>\"')\].,;:])?)\b", 0.6, triggers=(".com", ".org", ".net", ".edu", ".gov", ".health", ".io", ".us", ".info")),
    Rule("IP_ADDRESS", r"\b(?P<v>(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d))\b", 0.85),
    Rule("IP_ADDRESS", r"(?<![\w:])(?P<v>(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|(?:[0-9a-fA-F]{1,4}:){1,6}:(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4})*)?)(?![\w:])", 0.85),
    Rule("MRN", rf"(?i:MRN|MR[ \t]?#|medical[ \t]+record(?:[ \t]+{_NUM})?|med[ \t]+rec(?:[ \t]+{_NUM})?|chart[ \t]+{_NUM}|hosp(?:ital|\.)?[ \t]+{_NUM}|unit[ \t]+{_NUM}|(?:pt|patient)[ \t]+id){_SEP}(?P<v>[A-Z]{{0,3}}-?\d[\d-]{{4,12}}\d)\b", 0.95, triggers=("mrn", "mr", "medical record", "med rec", "chart", "hosp", "unit", "pt id", "patient id")),
    Rule("ACCOUNT", rf"(?i:account|acct|billing|encounter|visit|FIN|CSN|invoice|claim)[ \t]*(?:{_NUM})?{_SEP}(?P<v>[A-Z]{{0,4}}-?\d[\d-]{{4,16}}\d)\b", 0.9, triggers=("account", "acct", "billing", "encounter", "visit", "fin", "csn", "invoice", "claim")),
    Rule("HEALTH_PLAN", rf"(?i:member(?:[ \t]+{_NUM})?|subscriber[ \t]+id|policy(?:[ \t]+{_NUM})?|insurance[ \t]+{_NUM}|medicare(?:[ \t]+(?:{_NUM}|MBI))?|medicaid(?:[ \t]+{_NUM})?|health[ \t]+plan(?:[ \t]+{_NUM})?|group[ \t]+{_NUM}|beneficiary[ \t]+{_NUM}|MBI|health[ \t]+card(?:[ \t]+{_NUM})?|HCN|NHS[ \t]+{_NUM}){_SEP}(?P<v>\d{{3}}[ ]\d{{3}}[ ]\d{{4}}|{_ID})\b", 0.9, triggers=("member", "subscriber", "policy", "insurance", "medicare", "medicaid", "health plan", "group", "beneficiary", "mbi", "health card", "hcn", "nhs")),
    Rule("HEALTH_PLAN", r"\b(?P<v>[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y]{2}\d{2})\b", 0.8),
    Rule("DEVICE_ID", rf"(?i:serial(?:[ \t]+{_NUM})?|S/N|SN|device[ \t]+(?:id|serial)|UDI|implant[ \t]+(?:id|serial)){_SEP}(?P<v>{_ID})\b", 0.9, triggers=("serial", "s/n", "sn", "device", "udi", "implant")),
    Rule("DEVICE_ID", r"(?P<v>\(01\)\d{14}(?:\(\d{2}\)[A-Z0-9]+)+)", 0.95, triggers=("(01)",)),
    Rule("LICENSE_PLATE", rf"\b(?i:plate|tag)\b{_SEP}(?:(?:{_STATES})[ \t]+)?(?P<v>{_PLATE})\b", 0.8,
         triggers=("plate", "tag"), check=_looks_like_plate),
    Rule("LICENSE_PLATE", rf"(?i:licen[cs]e[ \t]+plate(?:[ \t]+{_NUM})?|vehicle[ \t]+(?:tag|plate)(?:[ \t]+{_NUM})?|plate[ \t]+{_NUM}|plate(?=[ \t]*:)){_SEP}(?:(?:{_STATES})[ \t]+)?(?P<v>(?=[A-Z0-9 -]*\d){_PLATE})\b", 0.9, triggers=("plate", "tag")),
    # Vehicle identification numbers (Safe Harbor: vehicle identifiers and serial numbers): 17
    # characters without I, O or Q, after their label.
    Rule("VEHICLE_ID", rf"(?i:VIN|vehicle[ \t]+identification[ \t]+(?:number|no\.?|#)){_SEP}(?P<v>[A-HJ-NPR-Z0-9]{{17}})\b", 0.95, triggers=("vin", "vehicle")),
    Rule("LICENSE", rf"(?i:DEA(?:[ \t]+{_NUM})?|NPI|driver['’]?s?[ \t]+lic(?:en[cs]e|\.)?(?:[ \t]+{_NUM})?|licen[cs]e[ \t]+{_NUM}|DL[ \t]*#|state[ \t]+license|medical[ \t]+license(?:[ \t]+{_NUM})?|GMC|NMC|HCPC){_SEP}(?P<v>{_ID})\b", 0.9, triggers=("dea", "npi", "lic", "dl", "gmc", "nmc", "hcpc")),
    # Geography below the state: street, city, ZIP.
    Rule("ADDRESS", rf"\b(?P<v>(?:(?:Flat|Unit|Apt|Apartment|Suite)[ \t]+[A-Z0-9]{{1,4}},?[ \t]+)?\d{{1,6}}(?:-\d{{1,4}})?[ \t]+(?:[NSEW]\.?[ \t]+)?(?:(?:\p{{Lu}}[\p{{L}}'.-]*|\d+(?:st|nd|rd|th))[ \t]+){{1,4}}(?:{_STREET})\b\.?(?:[ \t]+(?:[NS][EW]?|[EW])\b)?{_UNIT})", 0.85),
    Rule("ADDRESS", rf"\b(?P<v>(?:\d{{1,4}},?[ \t]+{_EU_STREET}|{_EU_STREET}[ \t]+\d{{1,4}}[a-z]?\b)"
                    rf"(?:,?[ \t]+\d{{4,5}}[ \t]+\p{{Lu}}\p{{Ll}}+)?)", 0.85),
    Rule("ADDRESS", rf"\b(?P<v>{_IT_STREET},?[ \t]+\d{{5}}\b(?:[ \t]+\p{{Lu}}\p{{Ll}}+)?)", 0.85, triggers=("via", "corso")),
    Rule("ADDRESS", rf"(?i:lives|living|resides|residing)[ \t]+(?i:at)[ \t]+(?P<v>{_IT_STREET}(?:,[ \t]*\p{{Lu}}\p{{Ll}}+)?)",
         0.85, triggers=("via", "corso")),
    Rule("ADDRESS", rf"(?i:address)[ \t]*:?[ \t]+(?P<v>{_IT_STREET}(?:,[ \t]*\p{{Lu}}\p{{Ll}}+)?)", 0.85,
         triggers=("via", "corso")),
    Rule("ADDRESS", r"\b(?P<v>P\.?[ \t]?O\.?[ \t]+Box[ \t]+\d+)", 0.9, triggers=("box",)),
    Rule("CITY", rf"(?P<v>\p{{Lu}}\p{{Ll}}+(?:[ -]\p{{Lu}}\p{{Ll}}+){{0,2}}),?[ \t]+{_AFTER_CITY}", 0.85),
    Rule("CITY", r"\b(?i:lives|living|resides|residing|resident|moved|relocated|born|raised|grew up|city)[ \t]*(?i:in|at|to|of|:)[ \t]+(?P<v>\p{Lu}\p{Ll}+(?:[ -]\p{Lu}\p{Ll}+){0,2})", 0.75, triggers=("live", "living", "resid", "moved", "relocated", "born", "raised", "grew up", "city")),
    Rule("ZIP", rf"(?<=\b(?:{_STATES})\.?,?[ \t]{{1,2}})(?P<v>\d{{5}}(?:-\d{{4}})?)\b", 0.9),
    Rule("ZIP", rf"(?i:zip(?:[ \t]+code)?|postal[ \t]+code|post[ \t]?code|eircode){_SEP}"
                rf"(?P<v>\d{{5}}(?:-\d{{4}})?|\d{{4}}|{_LABELLED_POSTCODE})\b", 0.95,
         triggers=("zip", "postal", "postcode", "post code", "eircode")),
    Rule("ZIP", rf"\b(?P<v>{_POSTCODE})\b", 0.85),
    Rule("ZIP", rf"(?<=\p{{Lu}}\p{{Ll}}+,?[ \t]+)(?=(?:{_AU_POSTCODE}))\p{{Lu}}+[ \t]+(?P<v>\d{{4}})\b", 0.85),
    # Ages over 89 (younger ages are not identifiers).
    Rule("AGE", r"\b(?P<v>9\d|1[01]\d)(?=(?:-|[ \t])?(?:years?|yrs?|y/?o|y\.o\.|yo)\b|-year)", 0.9, triggers=("year", "yr", "y/o", "y.o", "yo")),
    Rule("AGE", r"\b(?i:age|aged)[ \t]*:?[ \t]*(?P<v>9\d|1[01]\d)\b", 0.9, triggers=("age",)),
    Rule("AGE", rf"(?i:\b(?P<v>{SPELLED_AGE})(?=[- ]years?\b|[- ]yrs?\b))", 0.9, triggers=("ninety", "hundred")),
    # Dates in every form the notes use (see phi.DATE_PATTERNS; shifted or reduced later).
    *(Rule("DATE", pattern, 0.85, 0 if name.startswith(("month", "d_month")) else regex.I,
           triggers=_MONTHS if "month" in name else ())
      for name, pattern in DATE_PATTERNS.items()),
)


class RuleRecognizer(EntityRecognizer):
    """Every `Rule` of a set of kinds as one Presidio recognizer (one compiled regex per rule)."""

    def __init__(self, rules: Iterable[Rule], name: str = "SafeHarborRules") -> None:
        self.rules = tuple(rules)
        self._compiled = [(r, regex.compile(r.pattern, r.flags | regex.V0)) for r in self.rules]
        super().__init__(supported_entities=sorted({r.kind for r in self.rules}), name=name,
                         supported_language="en")

    def load(self) -> None:  # compiled in __init__: nothing to load
        return None

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        wanted = set(entities or self.supported_entities)
        lowered = text.lower()
        results = []
        for rule, compiled in self._compiled:
            if rule.kind not in wanted or (rule.triggers and not any(t in lowered for t in rule.triggers)):
                continue
            for match in compiled.finditer(text):
                group = "v" if "v" in compiled.groupindex else 0
                start, end = match.span(group)
                if rule.kind == "NAME" and _not_a_name(text[start:end]):
                    continue  # "This is a 54-year-old", "evaluated by Dr. X": no name there
                if rule.check is not None and not rule.check(text[start:end]):
                    continue
                if end > start:
                    results.append(RecognizerResult(rule.kind, start, end, rule.score))
        return results


_LETTERS = regex.compile(r"\p{L}+")
_INITIAL = regex.compile(r"\b\p{Lu}\.[ ]")
# Words that open the next sentence after an initial ("seen by Dr. Y. An echocardiogram was done").
_OPENERS = frozenset("""A An At In On As If Of For From With Without After Before During Since When While Because
Also Then Per Upon Over Under By To And But Or So Yet Both Each Every All Any Some Other Another Again Currently
Initially Finally However Overall Given Due""".split())


def _not_a_name(span: str) -> bool:
    """The words a NAME rule matched are no name: known capitalised words only, or an initial
    followed by a word that opens a sentence."""
    rest = _INITIAL.sub("", span)
    return _only_known_words(rest) or (rest != span and rest.split()[0] in _OPENERS)


def _only_known_words(span: str) -> bool:
    words = [w.title() for w in _LETTERS.findall(span)]
    return all(w in KNOWN_CAPS for w in words)
