"""Similar artists: one entry point, `fit`, from listener and country streams to the
persisted tables (see `model`)."""

from analytics.similar.model import SimilarModel, SimilarParams, fit

__all__ = ["SimilarModel", "SimilarParams", "fit"]
