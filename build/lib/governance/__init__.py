"""Governance: policies, approvals, RBAC, audit log, secrets (issue 6)."""
