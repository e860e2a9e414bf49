"""Console roles and what each may do.

An account has exactly one role. The console's routes ask for a permission, never for a role
by name, so a later screen decides in one place who may use it:

- `desk`: the handoff queue and tickets (claim, reply, transfer, release, close), canned
  replies, colleagues, live events: agents and supervisors;
- `supervise`: reports, the audit log, overrides on anyone's ticket, account management:
  supervisors;
- `cases`: submitted forms and their status: caseworkers and supervisors;
- `content`: service guides and their insights: editors and supervisors.
"""

from __future__ import annotations

from typing import Literal, get_args

Role = Literal["agent", "supervisor", "caseworker", "editor"]
ROLES: tuple[Role, ...] = get_args(Role)

Permission = Literal["desk", "supervise", "cases", "content"]
PERMISSIONS: tuple[Permission, ...] = get_args(Permission)

GRANTS: dict[str, frozenset[Permission]] = {
    "agent": frozenset({"desk"}),
    "supervisor": frozenset({"desk", "supervise", "cases", "content"}),
    "caseworker": frozenset({"cases"}),
    "editor": frozenset({"content"}),
}


def may(role: str, permission: Permission) -> bool:
    """Whether an account of this role has this permission (unknown roles have none)."""
    return permission in GRANTS.get(role, frozenset())
