def test_metrics_on_a_catalogue_smaller_than_k() -> None:
    """Three items and k = 10: the ranking has three places; one hit in first place."""
    import numpy as np
    import scipy.sparse as sp

    from analytics.recommend.evaluation import ranking_metrics

    train = sp.csr_matrix(np.array([[1, 0, 0]]))
    test = sp.csr_matrix(np.array([[0, 1, 0]]))
    got = ranking_metrics(lambda r: np.array([[0.0, 0.9, 0.1]]), train, test, np.array([0]))
    assert got == {"precision@10": 0.1, "recall@10": 1.0, "ndcg@10": 1.0}
