"""Server-rendered pages (Jinja2) for staff, teams, coaches and auditors.

Pages read the same read models and run the same commands as the API: one
source of rules and errors, and no build step.
"""
