"""The Catalog feature: streams, listeners and active share over the sidebar filters."""
