"""The request bodies the tests build a collaborative with: a focus, the weight-in-kg
measure and a PDSA plan. The tests' own, so they never lean on the tooling's (the
drills keep theirs in scripts/drills/world.py), as the API sees them: plain JSON.
"""

from __future__ import annotations

WEIGHT = {
    "key": "weight-kg",
    "name": "Weight in kilograms",
    "kind": "process",
    "numerator": "children weighed in kg only",
    "denominator": "children seen",
    "direction": "increase",
    "target": 0.9,
}
FOCUS = {
    "focus_area": "Pediatric readiness",
    "aim": "Weigh 90% of children in kg",
    "starts_on": "2025-01-01",
    "ends_on": "2025-12-31",
}
PLAN = {
    "title": "Kg-only scale",
    "change_idea": "Lock scales to kg",
    "objective": "Fewer lb entries",
    "prediction": "90% in kg",
    "plan": "Day shift, one week",
}
