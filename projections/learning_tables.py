"""The shared-learning read model's tables: their names, shapes and indexes, imported
by the projection (`learning.py`) and by the queries that read them
(`learning_view.py`, `change_ideas.py`). Portable SQL for SQLite and PostgreSQL."""

from __future__ import annotations

from projections.base import ddl

RESOURCE_TAG = "rm_learn_resource_tag"
RESOURCE = "rm_learn_resource"
PACKAGE = "rm_learn_package"
NODE_VERSION = "rm_learn_node_version"
NODE = "rm_learn_node"
AIM_VERSION = "rm_learn_aim_version"
TEAM = "rm_learn_team"
MEASURE = "rm_learn_measure"
POINT = "rm_learn_point"
CYCLE = "rm_learn_cycle"
PROJECT = "rm_learn_project"
COMMENT = "rm_learn_comment"
TRYING = "rm_learn_trying"
TOOLKIT = "rm_learn_toolkit"


TABLES = {
    RESOURCE: ddl(RESOURCE, "resource_id TEXT PRIMARY KEY, collaborative_id TEXT NOT NULL, "
        "kind TEXT NOT NULL, title TEXT NOT NULL, description TEXT, tags TEXT NOT NULL, care_settings TEXT NOT NULL, "
        "url TEXT, sha256 TEXT, size BIGINT, media_type TEXT, filename TEXT, shared_by TEXT NOT NULL, "
        "shared_role TEXT NOT NULL, shared_at TEXT NOT NULL, position BIGINT NOT NULL, search TEXT NOT NULL"),
    RESOURCE_TAG: ddl(RESOURCE_TAG, "resource_id TEXT NOT NULL, tag TEXT NOT NULL, "
        "PRIMARY KEY (resource_id, tag)"),
    PACKAGE: ddl(PACKAGE, "collaborative_id TEXT PRIMARY KEY, package_id TEXT NOT NULL, "
        "aim TEXT NOT NULL, version BIGINT NOT NULL, positions TEXT NOT NULL"),
    NODE: ddl(NODE, "node_id TEXT PRIMARY KEY, collaborative_id TEXT NOT NULL, kind TEXT NOT NULL, "
        "name TEXT NOT NULL, description TEXT, parent_id TEXT, retired INTEGER NOT NULL, retired_reason TEXT, "
        "added_position BIGINT NOT NULL, history TEXT NOT NULL"),
    AIM_VERSION: ddl(AIM_VERSION, "collaborative_id TEXT NOT NULL, aim TEXT NOT NULL, "
        "valid_from BIGINT NOT NULL, valid_to BIGINT, PRIMARY KEY (collaborative_id, valid_from)"),
    NODE_VERSION: ddl(NODE_VERSION, "node_id TEXT NOT NULL, collaborative_id TEXT NOT NULL, "
        "kind TEXT NOT NULL, name TEXT NOT NULL, description TEXT, parent_id TEXT, retired INTEGER NOT NULL, "
        "retired_reason TEXT, valid_from BIGINT NOT NULL, valid_to BIGINT, PRIMARY KEY (node_id, valid_from)"),
    TEAM: ddl(TEAM, "team_id TEXT PRIMARY KEY, collaborative_id TEXT NOT NULL, name TEXT NOT NULL"),
    MEASURE: ddl(MEASURE, "team_id TEXT NOT NULL, measure_key TEXT NOT NULL, name TEXT NOT NULL, "
        "data_type TEXT NOT NULL, direction TEXT NOT NULL, position BIGINT NOT NULL, "
        "PRIMARY KEY (team_id, measure_key, position)"),
    POINT: ddl(POINT, "team_id TEXT NOT NULL, measure_key TEXT NOT NULL, period TEXT NOT NULL, "
        "position BIGINT NOT NULL, numerator DOUBLE PRECISION NOT NULL, denominator DOUBLE PRECISION, "
        "PRIMARY KEY (team_id, measure_key, period, position)"),
    CYCLE: ddl(CYCLE, "cycle_id TEXT PRIMARY KEY, team_id TEXT NOT NULL, collaborative_id TEXT NOT NULL, "
        "change_idea_id TEXT, title TEXT NOT NULL, measure_keys TEXT NOT NULL, planned_position BIGINT NOT NULL, "
        "decision TEXT, decided_position BIGINT, decided_period TEXT"),
    PROJECT: ddl(PROJECT, "team_id TEXT PRIMARY KEY, collaborative_id TEXT NOT NULL, title TEXT NOT NULL, "
        "summary TEXT NOT NULL, storyboard_url TEXT, measure_keys TEXT NOT NULL, cycle_ids TEXT NOT NULL, "
        "shared_at TEXT NOT NULL, position BIGINT NOT NULL"),
    COMMENT: ddl(COMMENT, "comment_id TEXT PRIMARY KEY, project_team_id TEXT NOT NULL, "
        "team_id TEXT NOT NULL, author_id TEXT NOT NULL, text TEXT NOT NULL, at TEXT NOT NULL, position BIGINT NOT NULL"),
    TRYING: ddl(TRYING, "team_id TEXT NOT NULL, cycle_id TEXT NOT NULL, project_team_id TEXT NOT NULL, "
        "at TEXT NOT NULL, position BIGINT NOT NULL, PRIMARY KEY (team_id, cycle_id)"),
    TOOLKIT: ddl(TOOLKIT, "toolkit_id TEXT PRIMARY KEY, collaborative_id TEXT NOT NULL, "
        "title TEXT NOT NULL, introduction TEXT, change_idea_ids TEXT NOT NULL, resource_ids TEXT NOT NULL, "
        "compiled_by TEXT NOT NULL, compiled_at TEXT NOT NULL, position BIGINT NOT NULL"),
}  # fmt: skip
INDEXES = (
    f"CREATE INDEX IF NOT EXISTS rm_learn_resource_collaborative ON {RESOURCE} (collaborative_id, position)",
    f"CREATE INDEX IF NOT EXISTS rm_learn_resource_tag_tag ON {RESOURCE_TAG} (tag)",
    f"CREATE INDEX IF NOT EXISTS rm_learn_node_collaborative ON {NODE} (collaborative_id)",
    f"CREATE INDEX IF NOT EXISTS rm_learn_node_version_collaborative ON {NODE_VERSION} (collaborative_id, valid_from)",
    f"CREATE INDEX IF NOT EXISTS rm_learn_cycle_collaborative ON {CYCLE} (collaborative_id, change_idea_id)",
    f"CREATE INDEX IF NOT EXISTS rm_learn_comment_project ON {COMMENT} (project_team_id, position)",
)
