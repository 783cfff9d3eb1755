"""Data health: coverage of every DSP feed per day and the delivery issues found in it."""
