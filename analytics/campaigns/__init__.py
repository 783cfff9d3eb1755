"""Campaign outcomes: response curves with plateaus per territory and the spend optimiser.

Pure numpy / scipy: no Streamlit, no store, no file I/O.
"""
