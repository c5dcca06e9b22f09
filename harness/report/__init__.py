"""The self-contained HTML report of a stored run (DESIGN.md §4): `load_report_data` reads the
rows from the results store, `build_report` turns them into one offline HTML page."""

from harness.report.builder import build_report
from harness.report.data import ReportData, load_report_data

__all__ = ["ReportData", "build_report", "load_report_data"]
