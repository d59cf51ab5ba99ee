#!/usr/bin/env python3
"""Checks docker-compose.yml, the Dockerfiles and .env.example against what
the rtad node reads.

The settings come from the rtad binary itself (`rtad config keys`, and
`rtad config show` run with the node's container environment, so every value
goes through the real parser). The compose file is read with PyYAML and
interpolated with .env.example the way `docker compose` does; where a
compose client is installed, its own `docker compose config --format json`
rendering is checked as well. Last, the checks are run on deliberately broken
copies (a container name on the node, a literal password, a wrong topic, ...)
and each must be caught: a check that passes everything proves nothing.

usage: compose_test.py --rtad build/apps/rtad [--source-dir DIR] [--compose-cli auto|none|CMD]
Exit status 0 when every check passes, 1 otherwise.
"""

import argparse
import copy
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

# PyYAML is Debian's python3-yaml. A python3 earlier on PATH (pyenv, a venv)
# may lack it; Debian's interpreter then runs this file instead.
try:
    import yaml
except ImportError:
    debian_python = "/usr/bin/python3"
    if os.path.realpath(sys.executable) != os.path.realpath(debian_python) and os.path.exists(debian_python):
        os.execv(debian_python, [debian_python] + sys.argv)
    sys.exit("compose_test: PyYAML is missing: apt-get install python3-yaml (scripts/setup installs it)")

REQUIRED_SERVICES = ("redpanda", "topic-init", "postgres", "node", "dashboard")
# Variables rtad reads besides its settings are found in its sources (getenv).
RTAD_SOURCE_DIRS = ("actors", "apps", "config", "db", "messages", "models", "generator", "evaluation")
# Libraries every debian:bookworm image has (apt itself needs them).
BASE_IMAGE_PACKAGES = {"libc6", "libgcc-s1", "libstdc++6"}
NODE_SHUTDOWN_TIMEOUT_S = 60  # apps/cmd_node.cpp shutdown_timeout
SECRET_KEY = re.compile(r"PASSWORD|TOKEN|SECRET", re.I)


class Failure(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failure(message)


# ---------------------------------------------------------------- env files

def parse_env_file(path):
    """KEY=VALUE lines as docker compose reads .env (comments, optional quotes)."""
    out = {}
    for n, raw in enumerate(Path(path).read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export "):]
        key, eq, value = line.partition("=")
        if not eq or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key.strip()):
            raise Failure(f"{path}:{n}: expected KEY=value, got {raw!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] in "\"'" and value[-1] == value[0]:
            value = value[1:-1]
        out[key.strip()] = value
    return out


# ------------------------------------------------------------ interpolation

VAR_REF = re.compile(r"\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


def variables_in(text):
    """Names referenced as ${VAR} or $VAR; escaped $$ is not a reference."""
    return [m.group(2) or m.group(5) for m in VAR_REF.finditer(text) if not m.group(1)]


def interpolate(text, env):
    """Compose's interpolation: ${V}, ${V:-d}, ${V-d}, ${V:?e}, ${V?e}, ${V:+a}, $V, $$."""

    def sub(m):
        if m.group(1):
            return "$"
        name = m.group(2) or m.group(5)
        op, arg = m.group(3), m.group(4) or ""
        value = env.get(name)
        unset_or_empty = value is None or value == ""
        if op == ":-":
            return arg if unset_or_empty else value
        if op == "-":
            return arg if value is None else value
        if op in (":?", "?"):
            if (op == ":?" and unset_or_empty) or value is None:
                raise Failure(f"required variable {name} is missing: {arg}")
            return value
        if op == ":+":
            return "" if unset_or_empty else arg
        if op == "+":
            return "" if value is None else arg
        return value or ""

    return VAR_REF.sub(sub, text)


def walk_strings(node, fn, path=""):
    """Applies fn(path, string) to every string value; returns the new tree."""
    if isinstance(node, dict):
        return {k: walk_strings(v, fn, f"{path}.{k}" if path else str(k)) for k, v in node.items()}
    if isinstance(node, list):
        return [walk_strings(v, fn, f"{path}[{i}]") for i, v in enumerate(node)]
    if isinstance(node, str):
        return fn(path, node)
    return node


# ------------------------------------------------------------ normalisation

def parse_duration_s(text):
    if text is None:
        return None
    if isinstance(text, (int, float)):
        return float(text) / 1e9  # compose config renders nanoseconds
    total, rest = 0.0, str(text)
    for amount, unit in re.findall(r"([\d.]+)(h|ms|m|s|us|ns)", rest):
        total += float(amount) * {"h": 3600, "m": 60, "s": 1, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}[unit]
    return total


def normalize_ports(ports):
    out = []
    for p in ports or []:
        if isinstance(p, dict):
            out.append({"host_ip": p.get("host_ip", ""), "published": str(p.get("published", "") or ""),
                        "target": str(p.get("target"))})
            continue
        spec = str(p).split("/")[0]
        parts = spec.rsplit(":", 2) if spec.count(":") >= 2 else spec.split(":")
        if len(parts) == 3:
            host_ip, published, target = parts
        elif len(parts) == 2:
            host_ip, (published, target) = "", parts
        else:
            host_ip, published, target = "", "", parts[0]
        out.append({"host_ip": host_ip, "published": published, "target": target})
    return out


def as_command(value):
    if value is None:
        return None
    if isinstance(value, str):
        return shlex.split(value)
    return [str(v) for v in value]


def normalize(model):
    """One shape for both PyYAML's reading and `docker compose config`'s JSON."""
    services = {}
    for name, svc in (model.get("services") or {}).items():
        svc = dict(svc or {})
        env = svc.get("environment") or {}
        if isinstance(env, list):
            env = dict(e.split("=", 1) if "=" in e else (e, None) for e in env)
        svc["environment"] = {k: (None if v is None else str(v)) for k, v in env.items()}
        deps = svc.get("depends_on") or {}
        if isinstance(deps, list):
            deps = {d: {"condition": "service_started"} for d in deps}
        svc["depends_on"] = {d: {"condition": (c or {}).get("condition", "service_started")} for d, c in deps.items()}
        svc["ports"] = normalize_ports(svc.get("ports"))
        svc["expose"] = [str(e) for e in svc.get("expose") or []]
        hc = svc.get("healthcheck")
        if hc is not None:
            hc = dict(hc)
            test = hc.get("test")
            hc["test"] = ["CMD-SHELL", test] if isinstance(test, str) else [str(t) for t in test or []]
        svc["healthcheck"] = hc
        svc["command"] = as_command(svc.get("command"))
        svc["entrypoint"] = as_command(svc.get("entrypoint"))
        build = svc.get("build")
        if isinstance(build, str):
            build = {"context": build}
        svc["build"] = build
        services[name] = svc
    return {"services": services, "volumes": model.get("volumes") or {}}


def unescape(text):
    return text.replace("$$", "$")


# --------------------------------------------------------------- Dockerfile

def dockerfile_stages(text):
    """[(stage name, base image, [(INSTRUCTION, args)])], ARGs before FROM resolved."""
    joined = re.sub(r"\\\n", " ", text)
    instructions = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, args = line.partition(" ")
        instructions.append((word.upper(), args.strip()))
    global_args, stages = {}, []
    for word, args in instructions:
        if word == "ARG" and not stages:
            key, _, default = args.partition("=")
            global_args[key] = default
        elif word == "FROM":
            m = re.fullmatch(r"(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", args, re.I)
            expect(m, f"cannot read FROM {args}")
            image = re.sub(r"\$\{?(\w+)\}?", lambda v: global_args.get(v.group(1), ""), m.group(1))
            stages.append((m.group(2) or str(len(stages)), image, []))
        elif stages:
            stages[-1][2].append((word, args))
    return stages


def dockerfile_env(instructions):
    env = {}
    for word, args in instructions:
        if word == "ENV":
            for token in shlex.split(args):
                key, _, value = token.partition("=")
                env[key] = value
    return env


def apt_packages(instructions):
    pkgs = set()
    for word, args in instructions:
        if word == "RUN" and "apt-get install" in args:
            after = args.split("apt-get install", 1)[1].split("&&")[0]
            pkgs |= {t for t in after.split() if not t.startswith("-")}
    return pkgs


# ------------------------------------------------------------------ context

class Context:
    """Everything the checks read: the files (possibly broken copies) and rtad's facts."""

    def __init__(self, source_dir, rtad, raw, env_example, dockerfile_text, frontend_dockerfile_text, facts):
        self.source_dir, self.rtad = source_dir, rtad
        self.raw, self.env_example = raw, env_example
        self.dockerfile, self.frontend_dockerfile = dockerfile_text, frontend_dockerfile_text
        self.facts = facts
        self.model = normalize(walk_strings(raw, lambda _, s: interpolate(s, env_example)))
        self._shows = {}

    def services(self):
        return self.model["services"]

    def svc(self, name):
        expect(name in self.services(), f"service '{name}' is missing")
        return self.services()[name]

    def runtime_stage(self, text):
        stages = dockerfile_stages(text)
        expect(stages, "Dockerfile has no FROM")
        return stages[-1]

    def rtad_services(self):
        """Services that run the rtad image built from the root Dockerfile."""
        return {name: svc for name, svc in self.services().items()
                if svc.get("build") and str(svc["build"].get("dockerfile") or "Dockerfile") in ("Dockerfile", "./Dockerfile")}

    def container_env(self, service):
        """What the node's process sees: the image's ENV, then compose's environment."""
        env = dockerfile_env(self.runtime_stage(self.dockerfile)[2])
        env.update({k: v or "" for k, v in self.svc(service)["environment"].items()})
        return env

    def config_show(self, service):
        """`rtad config show` under the service's environment: the real parser decides."""
        if service in self._shows:
            return self._shows[service]
        env = {k: v for k, v in self.container_env(service).items()}
        env["PATH"] = os.environ.get("PATH", "/usr/bin:/bin")
        env.setdefault("RTAD_SERVICES_ENV", "")
        with tempfile.TemporaryDirectory() as cwd:
            r = subprocess.run([self.rtad, "config", "show"], env=env, cwd=cwd, capture_output=True, text=True)
        expect(r.returncode == 0, f"rtad rejects the {service} service's settings: {r.stderr.strip() or r.stdout.strip()}")
        shown = {}
        for line in r.stdout.splitlines():
            key, _, value = line.partition(" ")
            shown[key] = value.strip()
        self._shows[service] = shown
        return shown


def load_facts(rtad, source_dir):
    r = subprocess.run([rtad, "config", "keys"], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"compose_test: {rtad} config keys failed: {r.stderr}")
    keys = {}
    for line in r.stdout.splitlines():
        m = re.match(r"^(\S+)\s+(RTAD_[A-Z0-9_]+)\s", line)
        if m:
            keys[m.group(2)] = m.group(1)
    if len(keys) < 10:
        raise SystemExit(f"compose_test: cannot read `rtad config keys`:\n{r.stdout}")
    # Other RTAD_* variables the binary reads itself (log level, config file, services.env).
    extra = set()
    for d in RTAD_SOURCE_DIRS:
        for f in Path(source_dir, d).rglob("*.[ch]pp"):
            if f.name.endswith("_test.cpp"):
                continue
            text = f.read_text(errors="replace")
            extra |= set(re.findall(r'getenv\(\s*"(RTAD_[A-Z0-9_]+)"', text))
            extra |= set(re.findall(r'\.find\(\s*"(RTAD_[A-Z0-9_]+)"\s*\)', text))
    needed = []
    r = subprocess.run(["readelf", "-d", rtad], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"compose_test: readelf -d {rtad} failed (binutils): {r.stderr}")
    for soname in re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", r.stdout):
        needed.append(soname)
    ldd = subprocess.run(["ldd", rtad], capture_output=True, text=True).stdout
    paths = dict(re.findall(r"^\s*(\S+) => (\S+)", ldd, re.M))
    packages = {}
    for soname in needed:
        path = paths.get(soname)
        if not path:
            raise SystemExit(f"compose_test: ldd does not resolve {soname}")
        for candidate in (path, os.path.realpath(path)):
            q = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
            if q.returncode == 0:
                packages[soname] = q.stdout.split(":")[0].strip()
                break
        else:
            raise SystemExit(f"compose_test: no Debian package owns {path} ({soname})")
    return {"keys": keys, "extra_env": extra, "needed_packages": packages}


# ------------------------------------------------------------------- checks
# Each check is named for the behaviour it protects; it raises Failure.

def check_services_exist(c):
    missing = [s for s in REQUIRED_SERVICES if s not in c.services()]
    expect(not missing, f"missing services: {', '.join(missing)}")


def check_redpanda_single_dev_node_with_health_check(c):
    rp = c.svc("redpanda")
    expect("redpanda" in str(rp.get("image", "")), f"redpanda image is {rp.get('image')!r}")
    cmd = " ".join(rp["command"] or [])
    expect("dev-container" in cmd, "redpanda is not started with --mode=dev-container")
    expect("--seeds" not in cmd, "redpanda is meant to be a single node (no --seeds)")
    expect(rp["healthcheck"] and not rp["healthcheck"].get("disable"), "redpanda has no health check")


def advertised_internal(c):
    cmd = c.svc("redpanda")["command"] or []
    joined = " ".join(cmd)
    m = re.search(r"--advertise-kafka-addr[= ](\S+)", joined)
    expect(m, "redpanda sets no --advertise-kafka-addr")
    out = set()
    for item in m.group(1).split(","):
        hostport = item.split("://", 1)[-1]
        host, _, port = hostport.rpartition(":")
        out.add((host, port))
    return out


def init_topic(c):
    job = c.svc("topic-init")
    script = " ".join((job["entrypoint"] or []) + (job["command"] or []))
    script = unescape(script)
    env = {k: v or "" for k, v in job["environment"].items()}
    script = re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: env.get(m.group(1), m.group(0)), script)
    m = re.search(r"rpk\s+topic\s+create\s+['\"]?([^\s'\"]+)['\"]?(.*?)(\|\||&&|;|$)", script)
    expect(m, f"topic-init does not run `rpk topic create`: {script}")
    p = re.search(r"(?:--partitions|-p)[= ]['\"]?(\d+)", m.group(2))
    expect(p, "topic-init does not set --partitions")
    return m.group(1), int(p.group(1))


def check_topic_init_creates_a_partitioned_topic_then_exits(c):
    topic, partitions = init_topic(c)
    expect(partitions >= 2, f"topic-init creates {partitions} partition(s); nodes can only share several")
    job = c.svc("topic-init")
    expect(job["depends_on"].get("redpanda", {}).get("condition") == "service_healthy",
           "topic-init must wait for redpanda: condition service_healthy")
    expect(str(job.get("restart", "no")) in ("no", "on-failure") or job.get("restart") is None,
           f"topic-init is a job that exits; restart: {job.get('restart')} would run it forever")


def check_postgres_15_with_named_volume_and_pg_isready(c):
    pg = c.svc("postgres")
    expect(re.match(r"^(docker\.io/)?(library/)?postgres:15", str(pg.get("image", ""))), f"postgres image is {pg.get('image')!r}")
    volumes = pg.get("volumes") or []
    named = None
    for v in volumes:
        source, target = (v.get("source"), v.get("target")) if isinstance(v, dict) else (str(v).split(":")[0], str(v).split(":")[1])
        if target == "/var/lib/postgresql/data":
            named = source
    expect(named and not named.startswith((".", "/")), "postgres data is not on a named volume at /var/lib/postgresql/data")
    expect(named in c.model["volumes"], f"volume {named} is not declared under volumes:")
    hc = pg["healthcheck"]
    expect(hc and "pg_isready" in " ".join(hc["test"]), "postgres health check does not use pg_isready")


def check_node_depends_on_healthy_services_and_the_finished_topic_job(c):
    deps = c.svc("node")["depends_on"]
    want = {"redpanda": "service_healthy", "postgres": "service_healthy", "topic-init": "service_completed_successfully"}
    for dep, condition in want.items():
        got = deps.get(dep, {}).get("condition")
        expect(got == condition, f"node depends on {dep} with condition {got}, expected {condition}")


def check_dashboard_waits_for_postgres(c):
    deps = c.svc("dashboard")["depends_on"]
    expect(deps.get("postgres", {}).get("condition") == "service_healthy",
           "dashboard must wait for postgres: condition service_healthy")


def has_health_check(c, name):
    svc = c.svc(name)
    if svc["healthcheck"] is not None:
        return not svc["healthcheck"].get("disable") and svc["healthcheck"]["test"][:1] != ["NONE"]
    build = svc.get("build")
    if not build:
        return False
    dockerfile = str(build.get("dockerfile") or "Dockerfile")
    text = c.frontend_dockerfile if "frontend" in dockerfile else c.dockerfile
    return any(w == "HEALTHCHECK" and not a.upper().startswith("NONE") for w, a in c.runtime_stage(text)[2])


def check_every_condition_can_be_met(c):
    for name, svc in c.services().items():
        for dep, cond in svc["depends_on"].items():
            expect(dep in c.services(), f"{name} depends on unknown service {dep}")
            if cond["condition"] == "service_healthy":
                expect(has_health_check(c, dep), f"{name} waits for {dep} to be healthy, but {dep} has no health check")
            if cond["condition"] == "service_completed_successfully":
                restart = c.services()[dep].get("restart")
                expect(restart in (None, "no", "on-failure"), f"{name} waits for {dep} to complete, but it restarts ({restart})")


def check_node_scales(c):
    node = c.svc("node")
    expect("container_name" not in node, "node has a container_name: `--scale node=3` would clash")
    expect("hostname" not in node, "node has a fixed hostname: every replica would get the same node name")
    expect(node.get("network_mode") != "host", "node uses network_mode: host: replicas would clash on ports")
    for p in node["ports"]:
        expect(p["published"] == "" or "-" in p["published"],
               f"node publishes fixed host port {p['published']}: `--scale node=3` would clash (expose it instead, or use a range)")
    name = c.container_env("node").get("RTAD_NODE_NAME", "")
    expect(name == "", f"RTAD_NODE_NAME = {name!r}: every replica would use the same node name (leave it empty)")


def check_node_sets_only_real_settings(c):
    known = set(c.facts["keys"]) | c.facts["extra_env"]
    for var in c.svc("node")["environment"]:
        if var.startswith("RTAD_"):
            expect(var in known, f"node sets {var}, which rtad does not read (see `rtad config keys`)")


def check_rtad_commands_exist(c):
    for name, svc in c.rtad_services().items():
        cmd = svc["command"] or ["node"]
        r = subprocess.run([c.rtad, cmd[0], "--help"], capture_output=True, text=True)
        expect(r.returncode == 0, f"{name} runs `rtad {cmd[0]}`, which rtad does not know")
    expect("node" in c.rtad_services(), "node is not built from the rtad Dockerfile")
    expect((c.svc("node")["command"] or ["node"])[0] == "node", "node service does not run `rtad node`")


def check_node_reaches_broker_topic_and_database(c):
    shown = c.config_show("node")
    env = c.svc("node")["environment"]
    for var in ("RTAD_KAFKA_BOOTSTRAP", "RTAD_KAFKA_TOPIC", "RTAD_PG_URL"):
        expect(env.get(var), f"node does not set {var}")
    advertised = advertised_internal(c)
    for server in shown["kafka.bootstrap"].split(","):
        host, _, port = server.rpartition(":")
        expect(host in c.services(), f"kafka.bootstrap {server}: {host} is not a compose service")
        expect((host, port) in advertised, f"kafka.bootstrap {server} is not an address redpanda advertises ({sorted(advertised)})")
    topic, _ = init_topic(c)
    expect(shown["kafka.topic"] == topic, f"node reads topic {shown['kafka.topic']!r}, topic-init creates {topic!r}")
    url = urllib.parse.urlsplit(shown["pg.url"])
    expect(url.scheme in ("postgresql", "postgres"), f"pg.url {shown['pg.url']} is not a postgresql:// URL")
    expect(url.password is None, "pg.url holds a password: use PGPASSWORD")
    expect(url.hostname == "postgres", f"pg.url host {url.hostname} is not the postgres service")
    expect((url.port or 5432) == 5432, f"pg.url port {url.port}: postgres listens on 5432 inside the network")
    pg = c.svc("postgres")["environment"]
    expect(url.username == pg.get("POSTGRES_USER", "postgres"), f"pg.url user {url.username} is not POSTGRES_USER")
    expect(url.path.lstrip("/") == pg.get("POSTGRES_DB", pg.get("POSTGRES_USER")), f"pg.url database {url.path} is not POSTGRES_DB")
    expect(env.get("PGPASSWORD") and env.get("PGPASSWORD") == pg.get("POSTGRES_PASSWORD"),
           "node's PGPASSWORD is not the postgres service's POSTGRES_PASSWORD")


def check_node_metrics_inside_network_and_admin_off(c):
    shown = c.config_show("node")
    expect(shown["node.metrics_host"] == "0.0.0.0", f"node.metrics_host = {shown['node.metrics_host']}: the health check and Prometheus could not reach it")
    port = shown["node.metrics_port"]
    expect(port != "0", "node.metrics_port = 0: /healthz is off, the health check would fail")
    expect(port in c.svc("node")["expose"], f"metrics port {port} is not in the node's expose:")
    expect(shown["node.admin_port"] == "0", f"node.admin_port = {shown['node.admin_port']}: keep the admin actor off in containers")
    grace = parse_duration_s(c.svc("node").get("stop_grace_period"))
    expect(grace is not None and grace >= NODE_SHUTDOWN_TIMEOUT_S,
           f"node stop_grace_period {c.svc('node').get('stop_grace_period')}: a node may take {NODE_SHUTDOWN_TIMEOUT_S} s to stop cleanly")


def check_dashboard_on_port_3000_with_the_node_database(c):
    d = c.svc("dashboard")
    b = d.get("build") or {}
    expect("frontend/Dockerfile" in str(b.get("dockerfile", "")), "dashboard is not built from frontend/Dockerfile")
    env = d["environment"]
    port = env.get("RTAD_DASHBOARD_PORT", "3000")
    expect(any(p["target"] == port and p["published"] == "3000" for p in d["ports"]), "dashboard is not published on host port 3000")
    expect(env.get("RTAD_DASHBOARD_HOST") == "0.0.0.0", "dashboard listens on loopback inside its container: set RTAD_DASHBOARD_HOST=0.0.0.0")
    expect(env.get("RTAD_PG_URL") == c.svc("node")["environment"].get("RTAD_PG_URL"), "dashboard and node read different databases")
    expect(env.get("PGPASSWORD") == c.svc("postgres")["environment"].get("POSTGRES_PASSWORD"), "dashboard's PGPASSWORD is not POSTGRES_PASSWORD")


def check_no_literal_secrets(c):
    """Raw file: secrets only as ${VAR} (no default), never inside a URL."""
    ref = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*(?::?\?[^}]*)?\}$")
    empty_default = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*:?-\}$")

    def visit(path, s):
        key = path.rsplit(".", 1)[-1]
        if m := re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", s, re.S):  # list-style environment
            key, s = m.groups()
        if SECRET_KEY.search(key) and s != "":
            expect(ref.match(s) or empty_default.match(s), f"{path} = {s!r}: a literal secret; use ${{VAR}} from .env")
        # ${VAR} stands for any text; a password slot in a URL is wrong even then (PGPASSWORD).
        for url in re.findall(r"\w+://[^\s'\"]+", VAR_REF.sub("x", s)):
            expect(urllib.parse.urlsplit(url).password is None, f"{path}: URL {url} carries a password")
        return s

    walk_strings(c.raw, visit)
    for var, value in c.env_example.items():
        if SECRET_KEY.search(var) and value:
            walk_strings(c.raw, lambda p, s: expect(value not in s, f"{p} contains the value of {var}") or s)


def check_variables_defined_in_env_example(c):
    used = set()
    walk_strings(c.raw, lambda _, s: used.update(variables_in(s)) or s)
    missing = sorted(used - set(c.env_example))
    expect(not missing, f"docker-compose.yml uses {', '.join(missing)}, not defined in .env.example")


def check_secrets_stay_out_of_git_and_images(c):
    gitignore = Path(c.source_dir, ".gitignore").read_text().split()
    expect(".env" in gitignore or "/.env" in gitignore, ".env is not git-ignored")
    dockerignore = Path(c.source_dir, ".dockerignore").read_text().split()
    expect(".env" in dockerignore, ".env is not in .dockerignore")
    expect(any("node_modules" in l for l in dockerignore), "node_modules is not in .dockerignore")


def check_rtad_image_is_multi_stage_debian_non_root_with_health_check(c):
    stages = dockerfile_stages(c.dockerfile)
    expect(len(stages) >= 2, "Dockerfile is not multi-stage")
    for name, image, _ in stages:
        expect(image.startswith("debian:bookworm"), f"stage {name} is based on {image}, not debian:bookworm")
    build_pkgs = set().union(*(apt_packages(i) for _, _, i in stages[:-1]))
    for pkg in ("libcaf-dev", "librdkafka-dev", "libpqxx-dev", "cmake", "ninja-build"):
        expect(pkg in build_pkgs, f"build stage does not install {pkg}")
    name, _, runtime = stages[-1]
    pkgs = apt_packages(runtime)
    dev = sorted(p for p in pkgs if p.endswith("-dev") or p in ("build-essential", "cmake", "ninja-build"))
    expect(not dev, f"runtime stage installs build packages: {', '.join(dev)}")
    for soname, pkg in c.facts["needed_packages"].items():
        expect(pkg in pkgs or pkg in BASE_IMAGE_PACKAGES, f"runtime stage lacks {pkg} (rtad needs {soname})")
    users = [a for w, a in runtime if w == "USER"]
    expect(users and users[-1].split(":")[0] not in ("root", "0"), "runtime stage runs as root (add USER)")
    health = [a for w, a in runtime if w == "HEALTHCHECK"]
    expect(health and "/healthz" in health[-1], "runtime stage has no HEALTHCHECK on /healthz")
    entry = [a for w, a in runtime if w == "ENTRYPOINT"]
    expect(entry and "rtad" in entry[-1], "runtime stage's ENTRYPOINT is not rtad")
    env = dockerfile_env(runtime)
    m = re.search(r"RTAD_NODE_METRICS_PORT:-(\d+)|/dev/tcp/[\d.]+/(\d+)", health[-1])
    expect(m, "HEALTHCHECK does not name the metrics port")
    expect(env.get("RTAD_NODE_METRICS_PORT", m.group(1) or m.group(2)) == c.config_show("node")["node.metrics_port"],
           "HEALTHCHECK probes another port than node.metrics_port")


def check_dashboard_image_node20_npm_ci_next_build_non_root(c):
    stages = dockerfile_stages(c.frontend_dockerfile)
    expect(stages, "frontend/Dockerfile has no FROM")
    for name, image, _ in stages:
        expect(re.match(r"^node:20\b", image), f"frontend stage {name} is based on {image}, not Node 20")
    runs = " ".join(a for _, _, i in stages for w, a in i if w == "RUN")
    expect("npm ci" in runs, "frontend/Dockerfile does not run npm ci")
    expect("next build" in runs or "npm run build" in runs, "frontend/Dockerfile does not run next build")
    users = [a for w, a in stages[-1][2] if w == "USER"]
    expect(users and users[-1].split(":")[0] not in ("root", "0"), "dashboard image runs as root (add USER)")


CHECKS = [
    check_services_exist,
    check_redpanda_single_dev_node_with_health_check,
    check_topic_init_creates_a_partitioned_topic_then_exits,
    check_postgres_15_with_named_volume_and_pg_isready,
    check_node_depends_on_healthy_services_and_the_finished_topic_job,
    check_dashboard_waits_for_postgres,
    check_every_condition_can_be_met,
    check_node_scales,
    check_node_sets_only_real_settings,
    check_rtad_commands_exist,
    check_node_reaches_broker_topic_and_database,
    check_node_metrics_inside_network_and_admin_off,
    check_dashboard_on_port_3000_with_the_node_database,
    check_no_literal_secrets,
    check_variables_defined_in_env_example,
    check_secrets_stay_out_of_git_and_images,
    check_rtad_image_is_multi_stage_debian_non_root_with_health_check,
    check_dashboard_image_node20_npm_ci_next_build_non_root,
]


def run_checks(c, quiet=False):
    failed = []
    for check in CHECKS:
        try:
            check(c)
            ok, why = True, ""
        except Failure as e:
            ok, why = False, str(e)
        except (KeyError, TypeError, AttributeError, IndexError, ValueError) as e:
            ok, why = False, f"unexpected shape: {type(e).__name__}: {e}"
        if not ok:
            failed.append((check.__name__, why))
        if not quiet:
            print(f"  {'ok  ' if ok else 'FAIL'} {check.__name__[len('check_'):].replace('_', ' ')}" + (f": {why}" if why else ""))
    return failed


# ---------------------------------------------------------------- mutations
# Each breaks one thing in a copy; the named check must then fail.

def set_env(service, var, value):
    def f(raw):
        raw["services"][service].setdefault("environment", {})[var] = value
    return f


def mutation_cases():
    def node(key, value):
        def f(raw):
            raw["services"]["node"][key] = value
        return f

    def drop_service(name):
        return lambda raw: raw["services"].pop(name)

    def drop_health(name):
        return lambda raw: raw["services"][name].pop("healthcheck")

    def dep(service, on, condition):
        def f(raw):
            raw["services"][service].setdefault("depends_on", {})[on] = {"condition": condition}
        return f

    def dockerfile(drop):
        def f(ctx):
            ctx["dockerfile"] = "\n".join(l for l in re.sub(r"\\\n", " ", ctx["dockerfile"]).splitlines()
                                          if not l.strip().upper().startswith(drop))
        return f

    return [
        ("node with a container_name", node("container_name", "rtad-node"), "node_scales", None),
        ("node with a fixed host port", node("ports", ["9464:9464"]), "node_scales", None),
        ("node with a fixed name", set_env("node", "RTAD_NODE_NAME", "node-1"), "node_scales", None),
        ("misspelt setting on the node", set_env("node", "RTAD_KAFKA_BOOTSRAP", "redpanda:9092"), "node_sets_only_real_settings", None),
        ("node reads another topic", set_env("node", "RTAD_KAFKA_TOPIC", "payments"), "node_reaches_broker_topic_and_database", None),
        ("bootstrap names no service", set_env("node", "RTAD_KAFKA_BOOTSTRAP", "kafka:9092"), "node_reaches_broker_topic_and_database", None),
        ("bootstrap on the host listener", set_env("node", "RTAD_KAFKA_BOOTSTRAP", "redpanda:19092"), "node_reaches_broker_topic_and_database", None),
        ("invalid node mode", set_env("node", "RTAD_NODE_MODE", "turbo"), "node_reaches_broker_topic_and_database", None),
        ("password in the node's URL", set_env("node", "RTAD_PG_URL", "postgresql://rtad:hunter2@postgres:5432/rtad"), "no_literal_secrets", None),
        ("literal postgres password", set_env("postgres", "POSTGRES_PASSWORD", "hunter2"), "no_literal_secrets", None),
        ("password as a default", set_env("postgres", "POSTGRES_PASSWORD", "${POSTGRES_PASSWORD:-hunter2}"), "no_literal_secrets", None),
        ("variable missing from .env.example", set_env("node", "RTAD_SINK_BATCH_ROWS", "${SINK_ROWS}"), "variables_defined_in_env_example", None),
        ("node starts before the topic exists", dep("node", "topic-init", "service_started"), "node_depends_on_healthy_services_and_the_finished_topic_job", None),
        ("postgres without health check", drop_health("postgres"), "every_condition_can_be_met", None),
        ("no dashboard", drop_service("dashboard"), "services_exist", None),
        ("admin actor exposed", set_env("node", "RTAD_NODE_ADMIN_PORT", "4242"), "node_metrics_inside_network_and_admin_off", None),
        ("metrics on loopback", set_env("node", "RTAD_NODE_METRICS_HOST", "127.0.0.1"), "node_metrics_inside_network_and_admin_off", None),
        ("runtime image runs as root", None, "rtad_image_is_multi_stage_debian_non_root_with_health_check", dockerfile("USER")),
        ("runtime image without HEALTHCHECK", None, "rtad_image_is_multi_stage_debian_non_root_with_health_check", dockerfile("HEALTHCHECK")),
    ]


def run_mutations(base):
    problems = []
    for title, mutate_raw, must_fail, mutate_files in mutation_cases():
        raw = copy.deepcopy(base.raw)
        files = {"dockerfile": base.dockerfile}
        if mutate_raw:
            mutate_raw(raw)
        if mutate_files:
            mutate_files(files)
        broken = Context(base.source_dir, base.rtad, raw, base.env_example, files["dockerfile"],
                         base.frontend_dockerfile, base.facts)
        failed = dict(run_checks(broken, quiet=True))
        caught = f"check_{must_fail}" in failed
        print(f"  {'ok  ' if caught else 'FAIL'} catches {title}" +
              (f" ({failed['check_' + must_fail]})" if caught else f": {must_fail} passed"))
        if not caught:
            problems.append(title)
    return problems


# --------------------------------------------------------------- compose CLI

def find_compose_cli(choice):
    if choice == "none":
        return None
    candidates = [shlex.split(choice)] if choice != "auto" else [["docker", "compose"], ["docker-compose"]]
    for cli in candidates:
        if not shutil.which(cli[0]):
            continue
        r = subprocess.run(cli + ["version"], capture_output=True, text=True)
        if r.returncode == 0:
            return cli
    if choice != "auto":
        raise SystemExit(f"compose_test: {choice} version failed")
    return None


def compose_cli_model(cli, source_dir):
    with tempfile.TemporaryDirectory() as tmp:
        env_file = Path(tmp, ".env")
        shutil.copy(Path(source_dir, ".env.example"), env_file)
        # A clean environment: the developer's exported RTAD_* must not decide the result.
        env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", tmp)}
        r = subprocess.run(cli + ["-f", str(Path(source_dir, "docker-compose.yml")), "--env-file", str(env_file),
                                  "--profile", "traffic", "config", "--format", "json"],
                           capture_output=True, text=True, env=env, cwd=tmp)
    if r.returncode != 0:
        raise Failure(f"{' '.join(cli)} config failed: {r.stderr.strip()}")
    return json.loads(r.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rtad", required=True, help="path of the rtad binary")
    ap.add_argument("--source-dir", default=str(Path(__file__).resolve().parents[2]))
    ap.add_argument("--compose-cli", default="auto", help="auto (docker compose, docker-compose), none, or a command")
    args = ap.parse_args()
    src = Path(args.source_dir)

    facts = load_facts(args.rtad, src)
    raw = yaml.safe_load(Path(src, "docker-compose.yml").read_text())
    env_example = parse_env_file(Path(src, ".env.example"))
    base = Context(str(src), args.rtad, raw, env_example, Path(src, "Dockerfile").read_text(),
                   Path(src, "frontend", "Dockerfile").read_text(), facts)

    print("docker-compose.yml read with PyYAML, interpolated with .env.example:")
    failed = run_checks(base)
    cli = find_compose_cli(args.compose_cli)
    if cli:
        print(f"docker-compose.yml as `{' '.join(cli)} config` renders it:")
        try:
            rendered = Context(str(src), args.rtad, {}, env_example, base.dockerfile, base.frontend_dockerfile, facts)
            rendered.model = normalize(walk_strings(compose_cli_model(cli, src), lambda _, s: s))
            rendered.raw = raw  # raw-text checks already ran on the file itself
            failed += [(f"cli:{n}", w) for n, w in run_checks(rendered)]
        except Failure as e:
            print(f"  FAIL {e}")
            failed.append(("cli", str(e)))
    else:
        print("(no docker compose client here: checked with PyYAML only)")
    print("the checks catch broken copies:")
    missed = run_mutations(base)
    total = len(CHECKS) * (2 if cli else 1) + len(mutation_cases())
    bad = len(failed) + len(missed)
    print(f"compose_test: {total - bad} passed, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
