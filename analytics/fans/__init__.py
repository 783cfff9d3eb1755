"""Fan types: latent listening-commitment profiles from per (listener, artist) stream totals.

An artist x stream-level count matrix (artists are documents, listeners are words, a word's
value is its stream-level bin) is modelled as a mix of fan profiles, each a distribution
over stream levels. Compared with the baseline (sklearn LDA on 150 quantile bins treated as
unordered words, which gave jagged profiles with many nearly empty words):

- bins are log-spaced and merged until none is near-empty (binning);
- each profile is a smooth rounded log-normal fitted by EM (smooth);
- the number of profiles is chosen by held-out likelihood over several seeds, 3 when the
  evidence is flat (selection);
- profiles are ordered by mean streams and named, not labelled by eye (profiles);
- each artist's mix comes with a 90% posterior interval (Gibbs sampling of the mix with the
  profiles fixed), so an artist with few listeners gets a wide interval (mix);
- light listeners are kept (one stream is a valid observation of a passive fan).

The unit that gets a mix is an artist's listeners on one label (artist_id, label): an
artist with tracks on two labels has two mixes, neither counting the other label's tracks.

`fit(pairs) -> FansModel` runs all of it (model). Pure numpy/pandas/sklearn; no I/O.
"""

from analytics.fans.model import FansModel, fit

__all__ = ["FansModel", "fit"]
