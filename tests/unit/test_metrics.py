"""Golden values: worked by hand (arithmetic in the comments) or checked against scikit-learn /
scipy, which are test-only reference implementations."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats
from sklearn import metrics as skm

from rightsized.eval.metrics import (
    PRF, BinaryCounts, abstained, abstention_accuracy, accuracy, average_precision, average_ranks,
    embedding_similarity, exact_match, field_accuracy, field_matches, groundedness, hit_rate_at_k,
    kendall_tau, macro_f1, macro_set_f1, mase, mean, micro_f1, micro_set_f1, ndcg, ndcg_at_k,
    normalise_value, percentile, precision_at_k, recall_at_k, reciprocal_rank, rouge_l, set_f1,
    smape, spearman, split_sentences, token_f1, wape,
)

INV_LOG2_3 = 1 / math.log2(3)  # discount at rank 2 (0-based i = 1): 0.6309...


def test_field_matches_normalises_case_space_and_trailing_punctuation() -> None:
    predicted = {"name": "anna  MARIA eriksson.", "dob": "1974-08-12", "city": None}
    expected = {"name": "Anna Maria Eriksson", "dob": "1974-08-21", "city": "Lyon", "zip": ""}
    assert field_matches(predicted, expected) == {"name": True, "dob": False, "city": False, "zip": False}
    assert normalise_value(None) == ""


def test_binary_counts_recall_precision() -> None:
    counts = BinaryCounts.count([True, True, False, False, True], [True, False, True, False, True])
    assert (counts.tp, counts.fp, counts.fn, counts.tn) == (2, 1, 1, 1)
    assert counts.recall == pytest.approx(2 / 3)
    assert counts.precision == pytest.approx(2 / 3)
    assert BinaryCounts.count([False], [False]).recall is None  # no positives: undefined, not 0 or 1


def test_percentile_and_mean() -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == pytest.approx(2.5)
    assert percentile([], 50) is None
    assert mean([1.0, 0.0, 1.0, 1.0]) == pytest.approx(0.75)
    assert mean([]) is None


# --- retrieval ------------------------------------------------------------------------------

RETRIEVED = ["d3", "d1", "d3", "d7", "d2"]  # distinct, in order: d3 d1 d7 d2 (4 results)
RELEVANT = {"d1", "d2", "d9"}


def test_hit_recall_precision_by_hand() -> None:
    assert hit_rate_at_k(RETRIEVED, RELEVANT, 1) == 0.0  # d3 only
    assert hit_rate_at_k(RETRIEVED, RELEVANT, 2) == 1.0  # d1 at rank 2
    assert recall_at_k(RETRIEVED, RELEVANT, 2) == pytest.approx(1 / 3)  # d1 of {d1, d2, d9}
    assert recall_at_k(RETRIEVED, RELEVANT, 5) == pytest.approx(2 / 3)  # fewer than k: d1, d2
    assert precision_at_k(RETRIEVED, RELEVANT, 2) == pytest.approx(1 / 2)
    assert precision_at_k(RETRIEVED, RELEVANT, 5) == pytest.approx(2 / 5)  # denominator k, not 4


def test_duplicates_are_counted_once() -> None:
    # distinct: d1, x -> 1 of 2 relevant in the top 2; counting d1 twice would give 2/2 and 2/2
    retrieved = ["d1", "d1", "x"]
    assert recall_at_k(retrieved, {"d1", "d2"}, 2) == pytest.approx(1 / 2)
    assert precision_at_k(retrieved, {"d1", "d2"}, 2) == pytest.approx(1 / 2)
    # DCG@2 = 1/log2(2) = 1 (not 1 + 1/log2(3)); IDCG@2 = 1 + 1/log2(3)
    assert ndcg_at_k(retrieved, {"d1", "d2"}, 2) == pytest.approx(1 / (1 + INV_LOG2_3))


def test_reciprocal_rank_and_average_precision_by_hand() -> None:
    assert reciprocal_rank(RETRIEVED, RELEVANT) == pytest.approx(1 / 2)  # first relevant: d1, rank 2
    assert reciprocal_rank(RETRIEVED, RELEVANT, k=1) == 0.0
    # relevant at ranks 2 (precision 1/2) and 4 (precision 2/4); d9 never found; / 3 relevant
    assert average_precision(RETRIEVED, RELEVANT) == pytest.approx((1 / 2 + 2 / 4) / 3)
    assert average_precision(RETRIEVED, RELEVANT, k=2) == pytest.approx((1 / 2) / 3)


def test_empty_gold_is_undefined_and_bad_k_is_an_error() -> None:
    for metric in (hit_rate_at_k, recall_at_k, precision_at_k, ndcg_at_k):
        assert metric(["a"], set(), 3) is None
        assert metric(["a"], {"a": 0}, 3) is None  # judged, but nothing relevant
        with pytest.raises(ValueError):
            metric(["a"], {"a"}, 0)
    assert reciprocal_rank(["a"], []) is None
    assert average_precision(["a"], []) is None
    with pytest.raises(ValueError):
        reciprocal_rank(["a"], {"a"}, k=-1)
    with pytest.raises(ValueError):
        ndcg_at_k(["a"], {"a": -1.0}, 3)


def test_ndcg_ideal_comes_from_gold_not_retrieved_list() -> None:
    # llama_index #17070: ideal from the retrieved list gives 1.0 here. Gold has 3 relevant items:
    # DCG@3 = 1; IDCG@3 = 1 + 1/log2(3) + 1/log2(4) = 2.1309 -> 0.4693
    score = ndcg_at_k(["a", "x", "y"], {"a", "b", "c"}, 3)
    assert score == pytest.approx(1 / (1 + INV_LOG2_3 + 0.5))
    assert score < 0.5


def test_ndcg_graded_by_hand() -> None:
    # DCG@3 = 2/log2(2) + 0 + 3/log2(4) = 2 + 1.5 = 3.5
    # IDCG@3 = 3/1 + 2/log2(3) + 1/log2(4) = 3 + 1.2619 + 0.5 = 4.7619 -> 0.7350
    gold = {"a": 3, "b": 2, "c": 1}
    assert ndcg_at_k(["b", "x", "a"], gold, 3) == pytest.approx(3.5 / (3 + 2 * INV_LOG2_3 + 0.5))
    # fewer than k: one result, the best one: DCG = 3; IDCG@5 = 4.7619
    assert ndcg_at_k(["a"], gold, 5) == pytest.approx(3 / (3 + 2 * INV_LOG2_3 + 0.5))
    assert ndcg_at_k(["a", "b", "c"], gold, 3) == pytest.approx(1.0)
    assert ndcg_at_k(["x"], gold, 3) == 0.0


def _sklearn_ndcg(retrieved: list[str], gold: dict[str, float], k: int) -> float:
    """Retrieved items get strictly decreasing scores; when fewer than k were retrieved, gain-0
    fillers take the empty slots (they earn nothing, as an empty slot does); gold items not
    retrieved share score 0 below everything, so sklearn's tie averaging cannot reach the top k."""
    fillers = [f"_empty{i}" for i in range(max(0, k - len(retrieved)))]
    ranked = retrieved + fillers
    ids = ranked + [d for d in gold if d not in ranked]
    y_true = [gold.get(d, 0.0) for d in ids]
    y_score = [len(ranked) - i for i in range(len(ranked))] + [0] * (len(ids) - len(ranked))
    return float(skm.ndcg_score([y_true], [y_score], k=k))


@pytest.mark.parametrize(("retrieved", "gold", "k"), [
    (["d2", "d5", "d1", "d9"], {"d1": 3, "d2": 1, "d3": 2, "d4": 0.5}, 3),
    (["d2", "d5", "d1", "d9"], {"d1": 3, "d2": 1, "d3": 2, "d4": 0.5}, 10),  # k > gold and > retrieved
    (["a"], {"a": 1, "b": 2}, 5),  # fewer than k
    (["x", "y", "z", "w", "v"], {"z": 2, "w": 1, "q": 3}, 4),
    (["q", "z", "w"], {"q": 3, "z": 2, "w": 1}, 3),
    (["n1", "n2", "n3", "g1", "n4", "g2"], {"g1": 1.5, "g2": 4, "g3": 2.5}, 6),
])
def test_ndcg_matches_sklearn(retrieved: list[str], gold: dict[str, float], k: int) -> None:
    assert ndcg_at_k(retrieved, gold, k) == pytest.approx(_sklearn_ndcg(retrieved, gold, k), abs=1e-9)


def test_average_precision_matches_sklearn_when_all_relevant_are_retrieved() -> None:
    # by hand: relevant at ranks 2 and 4 -> (1/2 + 2/4) / 2 = 0.5
    assert average_precision(["a", "b", "c", "d", "e"], {"b", "d"}) == pytest.approx(0.5)
    rng = np.random.default_rng(7)
    for _ in range(20):
        retrieved = [f"d{i}" for i in rng.permutation(12)]
        relevant = {d for d in retrieved if rng.random() < 0.3} or {retrieved[-1]}
        y_true = [d in relevant for d in retrieved]
        y_score = list(range(len(retrieved), 0, -1))
        expected = skm.average_precision_score(y_true, y_score)
        assert average_precision(retrieved, relevant) == pytest.approx(expected, abs=1e-9)


# --- extraction ------------------------------------------------------------------------------

def test_field_accuracy_pools_fields_over_records() -> None:
    records = [({"a": "x", "b": "y"}, {"a": "X", "b": "z"}), ({}, {"c": "q"})]
    assert field_accuracy(records) == pytest.approx(1 / 3)  # a right; b wrong; c missing
    assert field_accuracy([]) is None


def test_set_f1_by_hand() -> None:
    # predicted {acme corp, globex} (duplicate globex once), gold {acme corp, initech}: tp 1, fp 1, fn 1
    assert set_f1(["ACME Corp.", "Globex", "globex"], ["acme corp", "Initech"]) == PRF(0.5, 0.5, 0.5)
    assert set_f1([], []) == PRF(None, None, None)  # nothing to extract: undefined
    assert set_f1([], ["x"]) == PRF(None, 0.0, 0.0)


def test_micro_macro_set_f1_by_hand() -> None:
    items = [
        ("name", ["a", "b"], ["a"]), ("name", ["c"], ["c", "d"]),  # name: tp 2, fp 1, fn 1 -> 4/6
        ("city", [], ["lyon"]),  # city: fn 1 -> 0
        ("date", [], []),  # nothing either way: left out of the macro mean
    ]
    assert macro_set_f1(items) == pytest.approx((2 / 3 + 0) / 2)
    assert micro_set_f1(items) == pytest.approx(2 * 2 / (2 * 2 + 1 + 2))  # tp 2, fp 1, fn 2
    assert macro_set_f1([]) is None
    assert micro_set_f1([]) is None


def test_micro_macro_set_f1_match_sklearn_multilabel() -> None:
    items = [
        ("name", ["ann", "bob", "cy"], ["ann", "bob"]), ("name", ["dan"], ["eve", "dan"]),
        ("city", ["lyon"], ["lyon", "oslo"]), ("city", ["rome"], []),
        ("date", ["2020"], ["2021"]),
    ]
    classes = ["name", "city", "date"]
    rows = sorted({(i, item) for i, (_, p, g) in enumerate(items) for item in [*p, *g]})
    y_true = [[int(items[i][0] == c and item in items[i][2]) for c in classes] for i, item in rows]
    y_pred = [[int(items[i][0] == c and item in items[i][1]) for c in classes] for i, item in rows]
    for average, ours in (("micro", micro_set_f1), ("macro", macro_set_f1)):
        expected = skm.f1_score(np.array(y_true), np.array(y_pred), average=average)
        assert ours(items) == pytest.approx(expected, abs=1e-9)


# --- ranking ---------------------------------------------------------------------------------

def test_ranking_ndcg_by_hand_and_against_sklearn() -> None:
    # DCG = 1 + 2/log2(3) + 3/2 = 3.7619; IDCG = 3 + 2/log2(3) + 1/2 = 4.7619 -> 0.7900
    gold = {"a": 1, "b": 2, "c": 3}
    assert ndcg(["a", "b", "c"], gold) == pytest.approx((2.5 + 2 * INV_LOG2_3) / (3.5 + 2 * INV_LOG2_3))
    assert ndcg(["a", "b", "c"], gold) == pytest.approx(skm.ndcg_score([[1, 2, 3]], [[3, 2, 1]]), abs=1e-9)
    assert ndcg(["c", "b", "a"], gold, k=2) == pytest.approx(1.0)
    assert ndcg([], {}) is None


def test_spearman_and_kendall_by_hand() -> None:
    # ranks equal the values; d = (0, 1, 1): rho = 1 - 6 * 2 / (3 * (9 - 1)) = 0.5
    assert spearman([1, 2, 3], [1, 3, 2]) == pytest.approx(0.5)
    # pairs (0,1) C, (0,2) C, (1,2) D -> (2 - 1) / 3
    assert kendall_tau([1, 2, 3], [1, 3, 2]) == pytest.approx(1 / 3)
    # (0,1) tied in a: not counted; (0,2), (1,2) C; tau-b = 2 / sqrt((3 - 1) * (3 - 0))
    assert kendall_tau([1, 1, 2], [1, 2, 3]) == pytest.approx(2 / math.sqrt(6))
    assert spearman([1, 1, 1], [1, 2, 3]) is None  # constant: undefined
    assert kendall_tau([1, 1, 1], [1, 2, 3]) is None
    assert spearman([1], [2]) is None
    with pytest.raises(ValueError):
        spearman([1, 2], [1])


def test_average_ranks_match_scipy() -> None:
    values = [3.0, 1.0, 3.0, 2.0, 3.0, 0.5, 1.0]
    np.testing.assert_allclose(average_ranks(values), scipy_stats.rankdata(values))


@pytest.mark.parametrize("seed", range(6))
def test_spearman_and_kendall_match_scipy_with_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 5, 30).tolist()  # 30 draws from 5 values: many ties
    b = (np.array(a) + rng.integers(-2, 3, 30)).tolist()
    assert spearman(a, b) == pytest.approx(scipy_stats.spearmanr(a, b).statistic, abs=1e-9)
    assert kendall_tau(a, b) == pytest.approx(scipy_stats.kendalltau(a, b, variant="b").statistic, abs=1e-9)


# --- text ------------------------------------------------------------------------------------

def test_exact_match_squad_normalisation() -> None:
    assert exact_match("The Eiffel Tower!", "eiffel  tower") == 1.0
    assert exact_match("Eiffel Towers", "Eiffel Tower") == 0.0


def test_token_f1_by_hand() -> None:
    # "cat sat on mat" vs "cat sat on red mat": common 4 -> P 4/4, R 4/5, F1 = 2*0.8/1.8 = 8/9
    assert token_f1("the cat sat on the mat", "a cat sat on a red mat") == pytest.approx(8 / 9)
    # repeated token counts once per match: common 1 -> P 1/2, R 1/1, F1 = 2/3
    assert token_f1("Paris paris", "Paris") == pytest.approx(2 / 3)
    assert token_f1("", "") == 1.0  # correct "no answer" (SQuAD v2)
    assert token_f1("the", "Lyon") == 0.0  # articles only: empty prediction
    assert token_f1("Oslo", "Lyon") == 0.0


def test_rouge_l_by_hand() -> None:
    # LCS("the cat sat", "the black cat sat down") = 3: P 3/3, R 3/5, F = 2*0.6/1.6 = 0.75
    assert rouge_l("the cat sat", "The black cat sat down.") == pytest.approx(0.75)
    # LCS = "the cat on the mat" = 5 of 6 each side: F = 5/6
    assert rouge_l("the cat sat on the mat", "the cat on the mat sat") == pytest.approx(5 / 6)
    # "police killed the gunman" vs "the gunman kill police": LCS "the gunman" = 2 -> P = R = 0.5
    assert rouge_l("police killed the gunman", "the gunman kill police") == pytest.approx(0.5)
    assert rouge_l("", "") == 1.0
    assert rouge_l("a", "") == 0.0
    assert rouge_l("x y", "z") == 0.0


def test_embedding_similarity() -> None:
    assert embedding_similarity([1, 0], [1, 1]) == pytest.approx(1 / math.sqrt(2))
    assert embedding_similarity([1, 0], [0, 3]) == pytest.approx(0.0)
    assert embedding_similarity(np.array([2.0, 2.0]), [-1, -1]) == pytest.approx(-1.0)
    assert embedding_similarity([0, 0], [1, 1]) is None
    with pytest.raises(ValueError):
        embedding_similarity([1, 0], [1, 0, 0])


# --- groundedness and abstention --------------------------------------------------------------

ANSWER = "The client lives in Lyon. She was born in 1974 [c1]. The account was opened in Paris."
CHUNKS = {
    "c1": "Anna Maria Eriksson, born 1974-08-12, lives in Lyon, France.",
    "c9": "Account opened in Paris on 2020-01-03.",
}


def test_groundedness_with_an_invalid_citation() -> None:
    # sentence 1 {client, lives, lyon}: c1 has lives, lyon -> 2/3 >= 0.5 supported
    # sentence 2 {born, 1974} (marker [c1] removed): c1 has both -> supported
    # sentence 3 {account, opened, paris}: only c9 has them, and c9 was not retrieved -> invalid
    result = groundedness(ANSWER, CHUNKS, ["c1", "c9", "c1"], {"c1", "c2"})
    assert (result.supported_sentences, result.total_sentences, result.invalid_citations) == (2, 3, 1)
    assert result.score == pytest.approx(2 / 3)
    valid = groundedness(ANSWER, CHUNKS, ["c1", "c9"], {"c1", "c9"})
    assert (valid.score, valid.invalid_citations) == (1.0, 0)


def test_groundedness_threshold_and_empty_answer() -> None:
    # sentence 1 overlaps 2/3 = 0.67 < 0.7 -> unsupported; sentence 2 2/2; sentence 3 0 -> 1/3
    assert groundedness(ANSWER, CHUNKS, ["c1"], {"c1"}, threshold=0.7).score == pytest.approx(1 / 3)
    empty = groundedness("", CHUNKS, ["c1"], {"c1"})
    assert (empty.score, empty.total_sentences) == (None, 0)
    only_lyon = groundedness("It is so. In Lyon.", CHUNKS, ["c1"], {"c1"})  # "It is so." has no content
    assert (only_lyon.score, only_lyon.total_sentences) == (1.0, 1)
    with pytest.raises(ValueError):
        groundedness(ANSWER, CHUNKS, ["c1"], {"c1"}, threshold=0)


def test_split_sentences() -> None:
    assert split_sentences("One. Two?\nThree!  Four 3.5 units") == ["One.", "Two?", "Three!", "Four 3.5 units"]


def test_abstention_accuracy() -> None:
    assert abstention_accuracy("The date is NOT  stated in the documents.", should_abstain=True) == 1.0
    assert abstention_accuracy("Lyon", should_abstain=True) == 0.0
    assert abstention_accuracy("Lyon", should_abstain=False) == 1.0
    assert abstention_accuracy("Not found.", should_abstain=False) == 0.0
    assert abstained("")  # claims nothing
    assert not abstained("several unknowns remain")  # whole words only
    assert abstention_accuracy("n/a", should_abstain=True, phrases=("n/a",)) == 1.0


# --- forecasting -----------------------------------------------------------------------------

def test_wape_and_smape_by_hand() -> None:
    actual, forecast = [10, 20, 30, 0], [12, 18, 30, 5]
    assert wape(actual, forecast) == pytest.approx(9 / 60)  # |e| = 2 + 2 + 0 + 5; sum|a| = 60
    # terms 2*2/22, 2*2/38, 0/60, 2*5/5 = 2 (actual 0: maximal error)
    assert smape(actual, forecast) == pytest.approx((4 / 22 + 4 / 38 + 0 + 2) / 4)
    assert smape([0, 10], [0, 10]) == 0.0  # 0/0 term is a perfect forecast of nothing
    assert smape([0, 0], [1, -1]) == 2.0  # upper bound
    assert wape([0, 0], [1, 1]) is None
    assert smape([], []) is None
    with pytest.raises(ValueError):
        wape([1, 2], [1])


def test_mase_by_hand() -> None:
    # in-sample |diffs| = 2, 1, 4 -> scale 7/3; MAE = (1 + 1) / 2 = 1 -> 3/7
    assert mase([14, 16], [15, 15], [10, 12, 11, 15]) == pytest.approx(3 / 7)
    # season 2: |12-10|, |22-20|, |14-12| -> scale 2; MAE = (3 + 0) / 2 = 1.5 -> 0.75
    assert mase([24, 16], [21, 16], [10, 20, 12, 22, 14], season=2) == pytest.approx(0.75)
    assert mase([1], [2], [5, 5, 5]) is None  # constant history: scale 0
    assert mase([1], [2], [5]) is None  # no in-sample difference to take
    with pytest.raises(ValueError):
        mase([1], [2], [1, 2], season=0)


# --- classification --------------------------------------------------------------------------

def test_classification_by_hand() -> None:
    pred, gold = ["a", "a", "b", "c"], ["a", "b", "b", "b"]
    # a: tp 1 fp 1 -> 2/3; b: tp 1 fn 2 -> 2/4; c: fp 1 -> 0; macro = 7/18
    assert macro_f1(pred, gold) == pytest.approx((2 / 3 + 1 / 2 + 0) / 3)
    assert macro_f1(pred, gold, labels=["a", "b", "c", "d"]) == pytest.approx(7 / 18)  # d absent: ignored
    assert macro_f1(["a", "a"], ["a", "b"]) == pytest.approx((2 / 3 + 0) / 2)  # b never predicted: 0
    assert accuracy(pred, gold) == pytest.approx(2 / 4)
    assert accuracy([], []) is None
    assert macro_f1([], []) is None
    with pytest.raises(ValueError):
        accuracy(["a"], ["a", "b"])


@pytest.mark.parametrize("seed", range(5))
def test_classification_matches_sklearn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    labels = ["approve", "review", "reject", "none"]
    gold = rng.choice(labels, 40).tolist()
    pred = [g if rng.random() < 0.6 else str(rng.choice(labels)) for g in gold]
    assert accuracy(pred, gold) == pytest.approx(skm.accuracy_score(gold, pred), abs=1e-9)
    assert macro_f1(pred, gold) == pytest.approx(skm.f1_score(gold, pred, average="macro"), abs=1e-9)
    assert micro_f1(pred, gold) == pytest.approx(skm.f1_score(gold, pred, average="micro"), abs=1e-9)
    subset = labels[:3]  # leave "none" out: micro F1 no longer equals accuracy
    assert micro_f1(pred, gold, labels=subset) == pytest.approx(
        skm.f1_score(gold, pred, labels=subset, average="micro"), abs=1e-9)
    assert macro_f1(pred, gold, labels=subset) == pytest.approx(
        skm.f1_score(gold, pred, labels=subset, average="macro"), abs=1e-9)
