"""Placeholder until the feature lands."""

import streamlit as st

st.info("This page is being built.")
