"""Streamlit-facing helpers."""
