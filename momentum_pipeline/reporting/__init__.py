"""The daily report: charts (matplotlib), an HTML page (jinja2), its PDF (weasyprint)
and a Markdown summary, built from the outputs of the other stages.

Each section appears when its input exists, so a partial run still gets a report
that says what it lacks.
"""
