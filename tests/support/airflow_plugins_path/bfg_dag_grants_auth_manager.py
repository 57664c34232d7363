"""A test double of an Airflow auth manager with per-DAG grants, loaded by a real
`airflow api-server` through Airflow's own `[core] auth_manager` setting.

It is SimpleAuthManager (users, passwords, roles, tokens unchanged), except that a user
named in `BFG_TEST_DAG_GRANTS` (JSON: {"user": {"GET": [dag ids], "PUT": [dag ids]}})
may use a DAG only with a method granted for it (POST/DELETE follow PUT), as a FAB user
with `DAG:<id>` permissions would. Questions about DAGs in general (no DAG id) are
answered for the user's role, like SimpleAuthManager.
"""

from __future__ import annotations

import json
import os

from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import SimpleAuthManager


def _grants() -> dict[str, dict[str, set[str]]]:
    raw = json.loads(os.environ.get("BFG_TEST_DAG_GRANTS", "{}"))
    return {user: {m: set(ids) for m, ids in methods.items()} for user, methods in raw.items()}


class DagGrantsAuthManager(SimpleAuthManager):
    def is_authorized_dag(self, *, method, user, access_entity=None, details=None) -> bool:
        allowed = super().is_authorized_dag(
            method=method, user=user, access_entity=access_entity, details=details
        )
        grants = _grants().get(user.get_name())
        if not allowed or grants is None or details is None or details.id is None:
            return allowed
        granted_method = "GET" if str(method) in ("GET", "ResourceMethod.GET") else "PUT"
        return details.id in grants.get(granted_method, set())
