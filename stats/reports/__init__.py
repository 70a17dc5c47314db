"""Periodic reports (programme monitoring): forms as data, reporting units, the workflow from filling to
approval, the dashboard, reminders, summaries over many units and the XLSX and PDF exports.
See docs/statistics.md, "Periodic reports"."""
