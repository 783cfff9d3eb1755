"""Similar artists: hand-worked cases of each step of the model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.metrics import adjusted_rand_score

from analytics import similar
from analytics.similar import clusters, embedding, evaluation, neighbours
from analytics.similar import potential as similar_geo


def test_potential_streams_hand_case():
    # Artist 0 has 100 streams, 10 in country A and 90 in B. Its neighbours: artist 1
    # (score 0.75; shares 0.5 / 0.5) and artist 2 (score 0.25; shares 0.1 / 0.9).
    streams = np.array([[10.0, 90.0], [50.0, 50.0], [100.0, 900.0]])
    idx = np.array([[1, 2], [0, 2], [0, 1]])
    score = np.array([[0.75, 0.25], [0.5, 0.5], [0.5, 0.5]])
    out = similar_geo.potential_streams(streams, idx, score, k=2)
    # expected share A = 0.75 * 0.5 + 0.25 * 0.1 = 0.4 -> 40 streams; B: 60
    np.testing.assert_allclose(out["expected"][0], [40.0, 60.0])
    np.testing.assert_allclose(out["gap"][0], [30.0, -30.0])
    np.testing.assert_allclose(out["ratio"][0], [0.25, 1.5])
    frame = similar_geo.potential_frame(np.array(["a0", "a1", "a2"]), np.array(["A", "B"]), out)
    a0 = frame[frame.artist_id == "a0"]
    assert a0.sort_values("rank").country.tolist() == ["A", "B"]


def test_modelled_volume_is_not_size_normalised():
    # The modelled volume: the neighbours' average streams, whatever the artist's size.
    streams = np.array([[10.0, 90.0], [500.0, 500.0], [1000.0, 9000.0]])
    idx = np.array([[1, 2], [0, 2], [0, 1]])
    score = np.ones((3, 2))
    vol = evaluation.modelled_volume(streams, idx, score, k=2)
    np.testing.assert_allclose(vol[0], [750.0, 4750.0])


def test_weighted_quantiles_match_numpy_hazen_for_equal_weights():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(5, 9))
    weights = np.ones_like(values)
    lo, hi = similar_geo._weighted_quantiles(values, weights, (0.1, 0.9))
    np.testing.assert_allclose(lo, np.quantile(values, 0.1, axis=1, method="hazen"))
    np.testing.assert_allclose(hi, np.quantile(values, 0.9, axis=1, method="hazen"))


def test_shared_listeners_both_ways():
    # listeners: artist 0 -> {0, 1, 2, 3}; artist 1 -> {2, 3}; artist 2 -> {4}
    m = sp.csr_matrix(np.array([[5, 1, 2, 9, 0], [0, 0, 3, 4, 0], [0, 0, 0, 0, 7]], dtype=float))
    idx = np.array([[1, 2], [0, 2], [0, 1]])
    shared, a, b = neighbours.shared_listeners(m, idx)
    np.testing.assert_array_equal(shared, [[2, 0], [2, 0], [0, 0]])
    np.testing.assert_allclose(a[0], [0.5, 0.0])
    np.testing.assert_allclose(b[0], [1.0, 0.0])
    np.testing.assert_allclose(a[1], [1.0, 0.0])


def test_bm25_saturates_and_downweights_ubiquitous_listeners():
    # Listener 0 streams every artist; listener 1 only artist 0.
    m = sp.csr_matrix(np.array([[10.0, 10.0], [10.0, 0.0], [10.0, 0.0]]))
    w = embedding.weight(m, "bm25").toarray()
    assert w[0, 1] > w[0, 0] > 0  # the rarer listener carries more weight
    heavy = embedding.weight(sp.csr_matrix(np.array([[200.0], [20.0]])), "bm25").toarray()
    assert heavy[0, 0] < 2 * heavy[1, 0]  # 10x the streams, far less than 10x the weight
    with pytest.raises(ValueError):
        embedding.weight(m, "tfidf")


def test_signal_dims_finds_the_planted_number_of_groups():
    rng = np.random.default_rng(1)
    centres = rng.normal(size=(5, 30)) * 3
    x = np.repeat(centres, 12, axis=0) + rng.normal(scale=0.3, size=(60, 30))
    assert clusters.signal_dims(x) == 4  # g groups span g - 1 directions once centred
    labels = clusters.cluster(x).labels
    assert adjusted_rand_score(np.repeat(np.arange(5), 12), labels) == 1.0


def test_small_inputs_do_not_fail():
    rows = pd.DataFrame(
        {"artist_id": ["a", "a", "b"], "listener_id": ["l1", "l2", "l1"], "streams": [3, 1, 2]}
    )
    countries = pd.DataFrame({"artist_id": ["a", "b"], "country": ["US", "US"], "streams": [5, 7]})
    model = similar.fit(rows, countries)
    assert len(model.artists) == 2 and len(model.neighbors) == 2
    assert len(model.potential) == 2
    empty = similar.fit(rows.iloc[:0], countries.iloc[:0])
    assert empty.artists.empty and empty.n_clusters == 0


def test_blockwise_neighbours_match_a_full_sort():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(60, 6))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    sim = x @ x.T
    np.fill_diagonal(sim, -np.inf)
    reference = np.argsort(-sim, axis=1, kind="stable")[:, :59]
    full, score = neighbours.neighbours(x, block=7)
    np.testing.assert_array_equal(full, reference)
    top, top_score = neighbours.neighbours(x, k=5, block=16)
    np.testing.assert_array_equal(top, reference[:, :5])
    np.testing.assert_allclose(top_score, score[:, :5])


def test_gram_route_equals_randomized_svd():
    """The exact small-catalogue route gives the same embedding as sklearn's SVD."""
    m = sp.random(40, 500, density=0.1, random_state=3, format="csr") * 10
    exact = embedding.embed(m, dim=6)
    from sklearn.decomposition import TruncatedSVD

    ref = TruncatedSVD(6, algorithm="arpack", random_state=0).fit_transform(m)
    ref /= np.linalg.norm(ref, axis=1, keepdims=True)
    # same rows up to the sign of each component: compare cosine similarities
    np.testing.assert_allclose(exact @ exact.T, ref @ ref.T, atol=1e-6)
