from __future__ import annotations

import pytest

from graph.errors import ConfigurationError, InsecureSettingsError
from graph.settings import DEV_NEO4J_PASSWORD, Profile, load_settings


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "GRACE_PROFILE",
        "NEO4J_PASSWORD",
        "GRACE_NEO4J_PASSWORD",
        "NEO4J_URI",
        "GRACE_API_SECRET_KEY",
        "REDIS_URL",
        "GRACE_REDIS_URL",
        "GRACE_NEO4J_URI",
    ):
        monkeypatch.delenv(name, raising=False)


def test_dev_profile_accepts_development_secrets() -> None:
    settings = load_settings("dev")
    assert settings.profile is Profile.DEV
    assert settings.neo4j_password.get_secret_value() == DEV_NEO4J_PASSWORD


@pytest.mark.parametrize("profile", ["staging", "prod"])
def test_default_secrets_are_refused_outside_dev(profile: str) -> None:
    with pytest.raises(InsecureSettingsError) as refused:
        load_settings(profile)
    assert refused.value.settings == ("neo4j_password", "api_secret_key")
    assert DEV_NEO4J_PASSWORD not in str(refused.value)


def test_prod_refuses_an_empty_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_PASSWORD", "")
    monkeypatch.setenv("GRACE_API_SECRET_KEY", "a-real-secret-from-vault")
    with pytest.raises(InsecureSettingsError) as refused:
        load_settings("prod")
    assert refused.value.settings == ("neo4j_password",)


def test_prod_accepts_secrets_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret-from-the-vault")
    monkeypatch.setenv("GRACE_API_SECRET_KEY", "another-s3cret")
    settings = load_settings("prod")
    assert settings.neo4j_password.get_secret_value() == "s3cret-from-the-vault"
    assert settings.write_batch_size == 10000  # from deploy/config/prod.yaml


def test_environment_overrides_the_profile_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://db.internal:7688")
    monkeypatch.setenv("GRACE_API_PORT", "9001")
    settings = load_settings("dev")
    assert settings.neo4j_uri == "bolt://db.internal:7688"
    assert settings.api_port == 9001


def test_profile_comes_from_grace_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRACE_PROFILE", "staging")
    monkeypatch.setenv("NEO4J_PASSWORD", "staging-password")
    monkeypatch.setenv("GRACE_API_SECRET_KEY", "staging-secret")
    assert load_settings().profile is Profile.STAGING


def test_unknown_profile_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationError, match="unknown profile 'qa'"):
        load_settings("qa")


def test_invalid_value_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="write_batch_size"):
        load_settings("dev", write_batch_size=0)


def test_secrets_never_show_in_text() -> None:
    settings = load_settings("dev")
    assert DEV_NEO4J_PASSWORD not in repr(settings)
    assert DEV_NEO4J_PASSWORD not in str(settings)
    assert DEV_NEO4J_PASSWORD not in settings.model_dump_json()


def test_an_explicit_profile_wins_over_grace_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRACE_PROFILE", "dev")
    with pytest.raises(InsecureSettingsError):
        load_settings("prod")
