"""The pure parts of collaboration: webhook signatures, notification ids, whose roles an
assignment reaches, audit targets of subjects, the retry backoff of deliveries."""

from __future__ import annotations

import hashlib
import hmac

from governance.assignments import roles_satisfied
from governance.channels import signature
from governance.notifications import Subject, notification_id
from governance.rbac import Membership, Principal, PrincipalKind, Role
from graph.settings import Settings
from ingest.deliveries import backoff


def test_a_signature_is_the_hmac_sha256_of_the_body_under_the_secret() -> None:
    body = b'{"kind":"conflict"}'
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert signature("s3cret", body) == f"sha256={expected}"
    assert signature("other", body) != signature("s3cret", body)


def test_a_notification_id_is_the_same_for_one_happening_and_person_only() -> None:
    first = notification_id("event-1", "ada")
    assert first == notification_id("event-1", "ada")
    assert first.startswith("notification:")
    assert len({first, notification_id("event-1", "bob"), notification_id("event-2", "ada")}) == 3
    # the separator keeps ("a", "bc") and ("ab", "c") apart
    assert notification_id("a", "bc") != notification_id("ab", "c")


def test_an_assignment_to_a_role_reaches_that_role_and_those_above_it() -> None:
    principal = Principal(
        id="ada",
        kind=PrincipalKind.USER,
        user_id="ada",
        memberships={
            "default": Membership("default", Role.EDITOR),
            "team": Membership("team", Role.ADMIN, frozenset({"t"})),
        },
    )
    assert roles_satisfied(principal) == [
        {"workspace": "default", "roles": ["viewer", "editor"]},
        {"workspace": "team", "roles": ["viewer", "editor", "admin"]},
    ]


def test_subjects_are_named_in_the_audit_log_as_their_kind_names_them() -> None:
    assert Subject("cr:1", "change_request", "default").audit_target == "change_request:cr:1"
    assert Subject("doc:1", "document", "default").audit_target == "document:doc:1"
    assert Subject("row:1", "row", "default", "cities").audit_target == "row:1"


def test_delivery_retries_wait_twice_as_long_each_time() -> None:
    settings = Settings(delivery_backoff_seconds=0.5)
    assert [backoff(settings, attempt) for attempt in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 4.0]
