"""Streamlit-side helpers: cached data access, filters, charts and labels for the pages."""
