"""Reports: SQL reads (queries), and renderers for the terminal and e-mail (text), the browser (html), scripts (json).

The aggregation itself is pure and lives in plextray.core.report_fold.
"""
