"""Stakeholder reports: one self-contained HTML page on an artist or a track."""

from app.report.content import Report, ReportError, Section, build, figure_titles
from app.report.html import to_html

__all__ = ["Report", "ReportError", "Section", "build", "figure_titles", "to_html"]
