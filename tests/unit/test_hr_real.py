"""The HR real suite's construction (data in ../shared, skipped with the reason when absent)."""
from __future__ import annotations

from pathlib import Path

import pytest

from rightsized.domains.base import SuiteUnavailable
from rightsized.domains.registry import get_domain

EXTERNAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "external" / "hr_resume"
VANETIK = EXTERNAL / "vanetik_vacancy_resume_matching"
GREEN = EXTERNAL / "jd_skill_extraction_green2022"
needs_data = pytest.mark.skipif(not (VANETIK.is_dir() and GREEN.is_dir()),
                                reason=f"HR external data absent ({EXTERNAL})")


def test_real_suite_unavailable_without_configured_data(tmp_path: Path) -> None:
    domain = get_domain("hr_resume")
    with pytest.raises(SuiteUnavailable, match="vanetik_dir"):
        domain.real_corpus(tmp_path, domain.configure({}))
    with pytest.raises(SuiteUnavailable, match="missing"):
        domain.real_corpus(tmp_path, domain.configure({"vanetik_dir": str(tmp_path)}))


@needs_data
def test_real_suite_reads_gpl_cvs_in_place_and_splits_green(tmp_path: Path) -> None:
    domain = get_domain("hr_resume")
    corpus = domain.real_corpus(tmp_path, domain.configure({"vanetik_dir": str(VANETIK), "green_dir": str(GREEN)}))
    vanetik = [c for c in corpus.gold if "vanetik" in c.tags]
    green = [c for c in corpus.gold if "green" in c.tags]
    assert len(vanetik) == 10 and len(green) == 168  # 5 vacancies x 2 annotators; the even-id half
    assert all(Path(c.input["resumes"]) == VANETIK.resolve() / "cv_text" for c in vanetik)
    assert not list(tmp_path.rglob("*.docx")) and not (corpus.root / "cv_text").exists()  # nothing GPL copied
    first = next(c for c in vanetik if c.case_id == "vanetik_v1_annotator_1")
    assert len(first.expected["relevance"]) == 28  # CVs 9 and 28 are not permutations for annotator 1
    assert "mean Spearman 0.116" in first.notes


def test_shipped_training_half_holds_only_odd_sentence_ids() -> None:
    from rightsized.domains.hr_resume.skill_spans import TRAIN_CSV, read_green

    sentences = read_green(TRAIN_CSV)
    assert len(sentences) == 168 and {s.sentence_id % 2 for s in sentences} == {1}
    assert sum(len(s.spans) for s in sentences) == 326


def test_segments_cut_after_sentence_ends_and_at_the_encoder_window() -> None:
    from rightsized.domains.hr_resume.skill_spans import SEGMENT, segments

    assert segments(["Use", "SQL", ".", "Be", "kind", "!", "and"]) == [(0, 3), (3, 6), (6, 7)]
    assert segments(["word"] * (2 * SEGMENT + 5)) == [(0, SEGMENT), (SEGMENT, 2 * SEGMENT), (2 * SEGMENT, 2 * SEGMENT + 5)]


@needs_data
def test_the_test_half_is_the_even_ids_and_the_shipped_file_the_odd_half() -> None:
    from rightsized.domains.hr_resume.skill_spans import TRAIN_CSV, read_green, split

    train, test = split(read_green(GREEN / "df_testset.csv"))
    assert {s.sentence_id % 2 for s in test} == {0} and len(test) == 168
    assert read_green(TRAIN_CSV) == train  # the shipped file is exactly the odd half


def _span_f1(pairs: list[tuple[set[tuple[int, int]], set[tuple[int, int]]]]) -> float:
    tp = sum(len(gold & found) for gold, found in pairs)
    return 2 * tp / sum(len(gold) + len(found) for gold, found in pairs)


def _dictionary_spans(tokens: tuple[str, ...], phrases: set[tuple[str, ...]]) -> set[tuple[int, int]]:
    """Longest known gold phrase first, left to right: the baseline a learned tagger must beat."""
    longest, found, index = max(map(len, phrases)), set(), 0
    lowered = tuple(t.lower() for t in tokens)
    while index < len(tokens):
        size = next((n for n in range(longest, 0, -1) if lowered[index:index + n] in phrases), 0)
        if size:
            found.add((index, index + size - 1))
        index += max(size, 1)
    return found


def test_skill_tagger_beats_the_gold_dictionary_on_a_held_out_fold() -> None:
    """Trained on three of the four cross-validation folds of the shipped training half (folds by
    `(id // 2) % 4`, as the settings were chosen) and scored on the fourth: the test half is never
    used here. Measured 0.297 span F1 on this fold (the weakest of the four; 0.36 over all four)
    against the dictionary's 0.138."""
    from rightsized.domains.hr_resume.skill_spans import TRAIN_CSV, SkillTagger, TokenVectors, read_green

    sentences = read_green(TRAIN_CSV)
    held_out = [s for s in sentences if (s.sentence_id // 2) % 4 == 0]
    rest = [s for s in sentences if (s.sentence_id // 2) % 4 != 0]
    tagger = SkillTagger.train(rest, TokenVectors())
    phrases = {tuple(t.lower() for t in s.tokens[a:b + 1]) for s in rest for a, b in s.spans}
    tagged = _span_f1([(set(s.spans), set(tagger.spans(list(s.tokens)))) for s in held_out])
    dictionary = _span_f1([(set(s.spans), _dictionary_spans(s.tokens, phrases)) for s in held_out])
    assert tagged > 0.25 and tagged > dictionary + 0.1, (tagged, dictionary)
    # A whole advert is tagged segment by segment, with spans in the advert's token numbering.
    first, second = [s for s in held_out if s.tokens[-1] == "."][:2]
    joined = tagger.spans([*first.tokens, *second.tokens])
    shifted = [(a + len(first.tokens), b + len(first.tokens)) for a, b in tagger.spans(list(second.tokens))]
    assert joined == tagger.spans(list(first.tokens)) + shifted
