"""The Streamlit application: entry point, sign-in, sidebar filters, services and widgets."""
