#!/usr/bin/env python3
"""Checks deploy/: the Prometheus configuration, the alert rules and their
unit tests (with promtool, Debian's `prometheus` package), and the Grafana
provisioning and dashboard.

Every metric the rules and the dashboard name must be one a node exports
(the names are read from actors/detail/metrics.cpp, where the exposition is
written); a rule or panel on a metric renamed since would stay silent for
ever. Last, the checks run on broken copies (a renamed metric, a rule
without its test, a dashboard on another datasource) and each must be caught.

usage: monitoring_test.py --source-dir DIR
Exit status 0 when every check passes, 1 otherwise.
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

PROCESS = {"process_cpu_seconds_total", "process_resident_memory_bytes",
           "process_virtual_memory_bytes", "process_start_time_seconds", "process_open_fds"}


def exported(src: Path) -> set:
    """Metric names in the node's exposition (actors/detail/metrics.cpp)."""
    text = (src / "actors/detail/metrics.cpp").read_text()
    names = {"rtad_" + n for n in re.findall(r'put\("([a-z0-9_]+)"', text)}
    names |= set(re.findall(r'"(rtad_[a-z0-9_]+)"', text))
    names |= {"rtad_anomalies_total", "rtad_build_info", "rtad_actor_silent_seconds", "up"}
    for published, prefix in re.findall(r'outbox\(\w+, "(\w+)", "(\w+)"', text):
        names |= {f"rtad_{published}_published_total", f"rtad_{published}_set_aside_total",
                  f"rtad_{prefix}_publish_failures_total", f"rtad_{prefix}_outbox_age_seconds"}
    for h in re.findall(r'write\(os, "(rtad_[a-z0-9_]+)"', text):
        names |= {h + "_bucket", h + "_sum", h + "_count"}
    names |= {n for n in PROCESS if f'"{n}"' in text}
    return names


def named(expr: str) -> set:
    """Metric names in a PromQL expression (functions, labels and keywords left out)."""
    expr = re.sub(r'\{[^}]*\}', '', expr)          # label matchers
    expr = re.sub(r'\b(by|without)\s*\([^)]*\)', '', expr)
    expr = re.sub(r'\[[^\]]*\]', '', expr)           # ranges
    words = set(re.findall(r'[a-zA-Z_:][a-zA-Z0-9_:]*', expr))
    return {w for w in words if w.startswith(("rtad_", "process_")) or w == "up"}


def check(deploy: Path, src: Path, metrics: set) -> list:
    errors = []
    prom = deploy / "prometheus"
    with tempfile.TemporaryDirectory() as tmp:
        # promtool resolves rule_files as Prometheus would inside its container.
        config = yaml.safe_load((prom / "prometheus.yml").read_text())
        config["rule_files"] = [str(prom / "rtad.rules.yml")]
        local = Path(tmp) / "prometheus.yml"
        local.write_text(yaml.safe_dump(config))
        for cmd in (["promtool", "check", "config", str(local)],
                    ["promtool", "check", "rules", str(prom / "rtad.rules.yml")],
                    ["promtool", "test", "rules", str(prom / "rtad.rules.test.yml")]):
            r = subprocess.run(cmd, capture_output=True, text=True, cwd=prom)
            if r.returncode != 0:
                errors.append(f"{' '.join(cmd[:3])}: {(r.stdout + r.stderr).strip()[-600:]}")
    rules = yaml.safe_load((prom / "rtad.rules.yml").read_text())
    tests = yaml.safe_load((prom / "rtad.rules.test.yml").read_text())
    tested = {t["alertname"] for case in tests["tests"] for t in case.get("alert_rule_test", [])
              if t.get("exp_alerts")}
    for group in rules["groups"]:
        for rule in group["rules"]:
            for m in named(rule["expr"]) - metrics:
                errors.append(f"alert {rule['alert']}: no node exports {m}")
            if rule["alert"] not in tested:
                errors.append(f"alert {rule['alert']}: no test in rtad.rules.test.yml makes it fire")
    source = yaml.safe_load((deploy / "grafana/provisioning/datasources/prometheus.yml").read_text())
    uid = source["datasources"][0]["uid"]
    dashboards = list((deploy / "grafana/dashboards").glob("*.json"))
    if not dashboards:
        errors.append("no Grafana dashboard in deploy/grafana/dashboards")
    for d in dashboards:
        board = json.loads(d.read_text())
        for panel in board["panels"]:
            if panel.get("datasource", {}).get("uid") != uid:
                errors.append(f"{d.name}: panel '{panel['title']}' is not on datasource {uid}")
            for t in panel.get("targets", []):
                for m in named(t["expr"]) - metrics:
                    errors.append(f"{d.name}: panel '{panel['title']}': no node exports {m}")
    compose = yaml.safe_load((src / "docker-compose.yml").read_text())
    for service in ("prometheus", "grafana"):
        s = compose["services"].get(service)
        if not s or s.get("profiles") != ["monitoring"]:
            errors.append(f"docker-compose.yml: no service {service} in profile monitoring")
            continue
        for v in s.get("volumes", []):
            host = v.split(":")[0]
            if host.startswith("./") and not (src / host).exists():
                errors.append(f"docker-compose.yml: {service} mounts {host}, which does not exist")
    return errors


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--source-dir", required=True)
    src = Path(ap.parse_args().source_dir).resolve()
    if not shutil.which("promtool"):
        print("FAIL: promtool not found (Debian package prometheus; scripts/setup installs it)")
        return 1
    metrics = exported(src)
    errors = check(src / "deploy", src, metrics)
    for e in errors:
        print("FAIL:", e)
    # Each check must catch what it is for.
    breaks = {
        "a renamed metric": ("prometheus/rtad.rules.yml", "rtad_database_up", "rtad_db_up"),
        "an alert without a test": ("prometheus/rtad.rules.test.yml", "alertname: RtadSinkStuck",
                                    "alertname: RtadSinkStuckNot"),
        "a dashboard on another datasource": ("grafana/dashboards/rtad.json", '"uid": "prometheus"',
                                              '"uid": "elsewhere"'),
        "a test that expects what does not happen": ("prometheus/rtad.rules.test.yml",
                                                     "falls behind: 45000", "falls behind: 1"),
    }
    for what, (path, old, new) in breaks.items():
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "deploy"
            shutil.copytree(src / "deploy", copy)
            f = copy / path
            f.write_text(f.read_text().replace(old, new))
            if not check(copy, src, metrics):
                errors.append(f"the checks miss {what}")
                print(f"FAIL: the checks miss {what}")
    if errors:
        return 1
    print(f"ok: config, {len(metrics)} exported metrics, rules, rule tests and dashboards agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
