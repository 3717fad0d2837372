"""The reports: the services compute, the reports compose, the renderers lay out.

- :mod:`~qualcode.reports.document`: the document model (pure).
- :mod:`~qualcode.reports.wording`: every word the reports print, per language (pure).
- :mod:`~qualcode.reports.docx`, :mod:`~qualcode.reports.html`: the two renderers.
- :mod:`~qualcode.reports.files`: a report's file format, and the renderer that writes it.
- :mod:`~qualcode.reports.agreement`: the supervisor's agreement report.
- :mod:`~qualcode.reports.study`: the study report.
"""
