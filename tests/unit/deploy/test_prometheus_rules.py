"""The alert rules pass `promtool check rules` and their unit tests
(`deploy/prometheus/tests/rules_test.yml`), and the Prometheus config `promtool check config`;
the PromQL name extraction the dashboard test relies on."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from graph.settings import PROJECT_ROOT
from tests.promql_names import dashboard_expressions, metric_names, rule_expressions

PROMETHEUS = PROJECT_ROOT / "deploy" / "prometheus"
needs_promtool = pytest.mark.skipif(
    shutil.which("promtool") is None,
    reason="needs promtool on PATH (Debian package `prometheus`: apt-get install prometheus)",
)


def promtool(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["promtool", *arguments], capture_output=True, text=True, check=False, cwd=PROMETHEUS
    )


@needs_promtool
def test_the_rules_and_the_config_are_valid() -> None:
    rules = promtool("check", "rules", "rules.yml")
    assert rules.returncode == 0, rules.stdout + rules.stderr
    config = promtool("check", "config", "prometheus.yml")
    assert config.returncode == 0, config.stdout + config.stderr


@needs_promtool
def test_every_alert_fires_when_it_should_and_not_below_its_threshold() -> None:
    result = promtool("test", "rules", "tests/rules_test.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr


def test_every_alert_the_issue_names_has_a_unit_test() -> None:
    tested = (PROMETHEUS / "tests" / "rules_test.yml").read_text()
    alerts = [where.split()[1] for where, _ in rule_expressions() if "Grace" in where]
    assert len(alerts) == 9
    for alert in alerts:
        assert f"alertname: {alert}" in tested, alert


def test_metric_names_are_read_out_of_promql() -> None:
    expression = (
        "histogram_quantile(0.99, sum by (le, operation) "
        "(rate(grace_graphql_operation_seconds_bucket"
        '{operation=~"Dash.*", le!="x"}[5m]))) > 2 and on(job) up{job="grace-api"} == 0 or '
        "table:grace_row_trust:mean offset 1d < 0.8 * time() - max(grace_audit_chain_ok)"
    )
    assert metric_names(expression) == {
        "grace_graphql_operation_seconds_bucket",
        "up",
        "table:grace_row_trust:mean",
        "grace_audit_chain_ok",
    }


def test_every_dashboard_panel_has_a_query_naming_a_metric() -> None:
    expressions = list(dashboard_expressions())
    assert len(expressions) >= 25
    for where, expression in expressions:
        assert metric_names(expression), where
