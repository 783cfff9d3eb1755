"""Hand-worked cases of the recommend building blocks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analytics.recommend import evaluation
from analytics.recommend.matrix import from_pairs, holdout_per_user, time_split
from analytics.recommend.models import ItemKNN, Popularity, UserKNN


def test_ranking_metrics_by_hand() -> None:
    train = sp.csr_matrix(np.array([[1, 0, 0, 0, 0], [0, 0, 0, 0, 0]], dtype=float))
    test = sp.csr_matrix(np.array([[0, 1, 0, 0, 1], [0, 0, 1, 0, 0]], dtype=float))
    # listener 0: ranks item 0 (seen, skipped), then 1 (hit), 2, 3, 4 (hit);
    # listener 1: item 3 first, then 2 (hit).
    scores = np.array([[9, 8, 7, 6, 5], [0, 0, 1, 2, 0]], dtype=float)
    m = evaluation.ranking_metrics(lambda r: scores[r], train, test, np.array([0, 1]), k=2)
    assert math.isclose(m["precision@2"], (1 / 2 + 1 / 2) / 2)
    assert math.isclose(m["recall@2"], (1 / 2 + 1) / 2)
    ndcg0 = 1.0 / (1 + 1 / math.log2(3))  # hit at rank 1 of two relevant
    ndcg1 = (1 / math.log2(3)) / 1.0  # hit at rank 2 of one relevant
    assert math.isclose(m["ndcg@2"], (ndcg0 + ndcg1) / 2)


def test_adopter_precision_counts_the_top_k() -> None:
    adopters = np.array([True, False, True, False])
    assert evaluation.adopter_precision(np.array([4.0, 3.0, 2.0, 1.0]), adopters, 2) == 0.5
    assert evaluation.adopter_precision(np.array([4.0, 1.0, 3.0, 2.0]), adopters, 2) == 1.0


def test_time_split_holds_out_only_new_pairs() -> None:
    monthly = pd.DataFrame(
        {
            "listener_id": ["a", "a", "a", "b"],
            "isrc": ["x", "x", "y", "y"],
            "month": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-02-01", "2026-01-01"]),
            "streams": [3, 4, 1, 2],
        }
    )
    split = time_split(monthly, holdout_months=1)
    assert list(split.train.listeners) == ["a", "b"] and list(split.train.items) == ["x", "y"]
    assert split.train.plays.toarray().tolist() == [[3, 0], [0, 2]]
    # a streamed x before (not an adoption) and y for the first time (an adoption)
    assert split.test.toarray().tolist() == [[0, 1], [0, 0]]


def test_holdout_per_user_keeps_a_fifth_of_each_listener() -> None:
    pairs = pd.DataFrame(
        {"u": np.repeat(["a", "b"], 10), "i": [f"i{j}" for j in range(20)], "n": 1.0}
    )
    data = from_pairs(pairs, user="u", item="i", value="n")
    train, test = holdout_per_user(data, 0.2, seed=1)
    assert np.diff(test.indptr).tolist() == [2, 2]
    assert train.plays.nnz == 16 and train.plays.multiply(test).nnz == 0


def test_popularity_orders_items_and_listeners() -> None:
    plays = sp.csr_matrix(np.array([[5, 1, 0], [1, 0, 0], [2, 0, 1]], dtype=float))
    pop = Popularity().fit(plays)
    assert pop.item_pop.tolist() == [3, 1, 1]
    assert pop.item_scores(np.array([0]))[:, 0].tolist() == [2, 1, 2]


def test_pearson_baseline_similarity_and_shrinkage() -> None:
    # listeners 0 and 1 play items 0-3 with the same pattern above/below their own level;
    # listener 2 has the opposite pattern.
    plays = np.array(
        [[20, 1, 20, 1], [40, 2, 40, 2], [1, 20, 1, 20]],
        dtype=float,
    )
    knn = UserKNN(shrinkage=0.0, reg_item=0.0, reg_user=0.0).fit(sp.csr_matrix(plays))
    sim = knn.similarity(np.array([0]))[0]
    assert sim[0] == 0.0  # never one's own neighbour
    assert sim[1] > 0.9 and sim[2] < -0.9
    shrunk = UserKNN(shrinkage=3.0, reg_item=0.0, reg_user=0.0).fit(sp.csr_matrix(plays))
    # four items in common: shrunk by (4 - 1) / (4 - 1 + 3) = 1/2
    assert math.isclose(shrunk.similarity(np.array([0]))[0][1], sim[1] / 2)
    # the nearest neighbour's items score; the negatively similar listener contributes nothing
    knn.k = 1
    assert knn.neighbours(np.array([0])).toarray().tolist()[0][1] == sim[1]


def test_item_knn_scores_items_co_streamed() -> None:
    plays = sp.csr_matrix(
        np.array([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 0, 0]], dtype=float)
    )
    knn = ItemKNN(k=2).fit(plays)
    s = knn.scores(np.array([3]))[0]
    assert s[1] > 0 and s[2] == 0 and s[3] == 0  # listener 3 likes item 0, co-streamed with 1


def test_segment_popularity_counts_listeners_per_segment() -> None:
    from analytics.recommend.cold_start import segment_popularity

    binary = sp.csr_matrix(np.array([[1, 0], [1, 1], [0, 1]], dtype=float))
    segments, counts = segment_popularity(binary, np.array(["US|18-24", "BR|25-34", "BR|25-34"]))
    assert list(segments) == ["BR|25-34", "US|18-24"]
    assert counts.tolist() == [[1, 2], [1, 0]]


def test_promote_reasons_read_right_for_any_lift() -> None:
    from analytics.recommend.model import reason

    who = "listeners in DE aged 18-24"
    assert reason(who, 2.04) == f"{who} stream it 2.0x as much as the average listener"
    assert reason(who, 1.05) == f"{who} stream it about as much as the average listener"
    assert reason(who, 0.5) == (
        f"{who} stream it less than the average listener so far (0.5x); the model ranks it "
        "from what they already play"
    )
    assert reason(who, 0.0).startswith(f"{who} have not streamed it yet")
