"""Deployment artefacts without Docker or Kafka: compose file, Dockerfile, Prometheus and Grafana
provisioning, the dashboard, the AsyncAPI document and the ``topics`` sub-command."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from micromoments.cli import main
from tools import asyncapi
from tools.schema_cli import SCHEMA_FILES

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
DESIGN = ROOT.parent / "shared" / "DESIGN.md"
LONG_RUNNING = ("kafka", "clickhouse", "worker", "sink", "prometheus", "grafana")
#: every topic of the contract (DESIGN.md), also checked against DESIGN.md itself where it is present
CONTRACT_TOPICS = ("events.clickstream", "events.search", "events.location", "feedback", "ref.venues",
                   "moments.know", "moments.go", "moments.do", "moments.buy", "events.dlq")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def asyncapi_doc() -> dict:
    return yaml.safe_load(asyncapi.render())


# --------------------------------------------------------------------------- compose


def _compose_cli() -> list[str] | None:
    """A compose CLI that can run ``config`` without a daemon: the plugin or the standalone tool."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_compose_validates_with_the_compose_cli(tmp_path: Path) -> None:
    cli = _compose_cli()
    if cli is None:
        pytest.skip("no docker compose / docker-compose here; the YAML checks below still run")
    path = DEPLOY / "compose.yaml"
    if cli == ["docker-compose"]:
        # compose v1 predates the top-level `name`; validate the rest of the file with it
        data = yaml.safe_load(path.read_text())
        data.pop("name", None)
        path = tmp_path / "compose.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
    res = subprocess.run([*cli, "-f", str(path), "--project-directory", str(DEPLOY), "--profile", "simulator",
                          "config", "-q"], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr


def test_compose_has_the_services(services: dict) -> None:
    for name in (*LONG_RUNNING, "topics", "simulator"):
        assert name in services, name
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert services["clickhouse"]["image"].startswith("clickhouse/clickhouse-server:")
    assert services["prometheus"]["image"].startswith("prom/prometheus:")
    assert services["grafana"]["image"].startswith("grafana/grafana:")


def test_kafka_is_a_single_kraft_node(services: dict) -> None:
    env = services["kafka"]["environment"]
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert "PLAINTEXT://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"]
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"].startswith("1@kafka:")


def test_worker_is_scalable_and_checked(services: dict) -> None:
    worker = services["worker"]
    assert "container_name" not in worker
    assert "ports" not in worker  # a fixed host port would stop --scale worker=3
    assert worker["restart"] == "unless-stopped"
    assert worker["command"] == ["worker"]
    assert "6066/health" in " ".join(worker["healthcheck"]["test"])
    env = worker["environment"]
    assert env["MOMENTS_KAFKA_BOOTSTRAP"] == "kafka:9092"
    assert env["MOMENTS_WEB_HOST"] == "0.0.0.0"
    assert worker["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert worker["depends_on"]["topics"]["condition"] == "service_completed_successfully"


def test_long_running_services_have_healthchecks_and_restart(services: dict) -> None:
    for name, svc in services.items():
        if name in LONG_RUNNING or svc.get("restart") == "unless-stopped":
            assert svc.get("restart") == "unless-stopped", name
            assert svc.get("healthcheck", {}).get("test"), name


def test_depends_on_uses_conditions(services: dict) -> None:
    allowed = {"service_started", "service_healthy", "service_completed_successfully"}
    for name, svc in services.items():
        deps = svc.get("depends_on", {})
        assert isinstance(deps, dict), f"{name}: depends_on without conditions"
        for dep, spec in deps.items():
            assert dep in services, (name, dep)
            assert spec["condition"] in allowed, (name, dep)


def test_topics_sink_and_simulator_services(services: dict) -> None:
    topics = services["topics"]
    assert topics["command"] == ["topics", "create"]
    assert topics["restart"] == "no"
    assert "MOMENTS_PARTITIONS" in topics["environment"]
    sink = services["sink"]
    assert sink["command"] == ["sink"]
    assert "@clickhouse:8123" in sink["environment"]["MOMENTS_CLICKHOUSE_URL"]
    assert sink["depends_on"]["clickhouse"]["condition"] == "service_healthy"
    sim = services["simulator"]
    assert sim["profiles"] == ["simulator"]
    cmd = sim["command"]
    assert cmd[:3] == ["simulate", "--profile", "electronics-en"] and "--kafka" in cmd
    assert cmd[cmd.index("--sessions") + 1] == "100000" and cmd[cmd.index("--rate") + 1] == "200"


def test_clickhouse_keeps_its_data_in_a_named_volume(compose: dict) -> None:
    volumes = compose["services"]["clickhouse"]["volumes"]
    named = [v.split(":")[0] for v in volumes if v.endswith(":/var/lib/clickhouse")]
    assert named and named[0] in compose["volumes"]


def test_every_mounted_file_exists(services: dict) -> None:
    for name, svc in services.items():
        for vol in svc.get("volumes", []):
            src = vol.split(":")[0]
            if src.startswith("."):
                assert (DEPLOY / src).exists(), (name, src)
        build = svc.get("build")
        if build:
            assert (DEPLOY / build["context"] / build["dockerfile"]).is_file()


# --------------------------------------------------------------------------- Dockerfile, Makefile


def test_dockerfile_is_multistage_nonroot_with_entrypoint() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    froms = re.findall(r"^FROM\s+(\S+)", text, flags=re.M)
    assert len(froms) >= 2 and all(f.startswith("python:3.11-slim") for f in froms)
    assert re.search(r"^COPY --from=builder /opt/venv /opt/venv", text, flags=re.M)
    users = re.findall(r"^USER\s+(\S+)", text, flags=re.M)
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert re.search(r'^ENTRYPOINT \["micromoments"\]', text, flags=re.M)
    ignore = (ROOT / ".dockerignore").read_text().split()
    assert ".venv" in ignore and ".git" in ignore
    # the builder compiles the detector's loops (setup.py) and fails if they fell back to Python
    assert re.search(r"^COPY pyproject.toml setup.py ", text, flags=re.M) and "hotloops.COMPILED" in text
    assert "gcc" in text.split("FROM")[1] and "gcc" not in text.split("FROM")[2]  # compiler in the builder only
    assert "**/*.so" in ignore  # a local build's extension is not copied in
    # every package the wheel includes is copied into the builder (the command line imports them all)
    include = re.search(r'^include = \[(.*)\]', (ROOT / "pyproject.toml").read_text(), flags=re.M).group(1)
    packages = {p.strip(' "*') for p in include.split(",")}
    assert packages == set(re.findall(r"^COPY (\w+) \./\1$", text, flags=re.M)), packages


def test_make_targets_for_compose() -> None:
    text = (ROOT / "Makefile").read_text()
    assert re.search(r"^compose-up:", text, flags=re.M) and re.search(r"^compose-down:", text, flags=re.M)
    assert "-f deploy/compose.yaml up -d --build" in text
    assert "-f deploy/compose.yaml down" in text


# --------------------------------------------------------------------------- Prometheus, Grafana


def test_prometheus_discovers_the_workers_by_dns() -> None:
    cfg = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    jobs = {j["job_name"]: j for j in cfg["scrape_configs"]}
    worker = jobs["micromoments-worker"]
    assert worker["metrics_path"] == "/metrics"
    sd = worker["dns_sd_configs"][0]
    assert sd["names"] == ["worker"] and sd["port"] == 6066


def test_grafana_datasources_and_plugin(services: dict) -> None:
    assert "grafana-clickhouse-datasource" in services["grafana"]["environment"]["GF_INSTALL_PLUGINS"]
    ds = yaml.safe_load((DEPLOY / "grafana" / "provisioning" / "datasources" / "datasources.yaml").read_text())
    by_type = {d["type"]: d for d in ds["datasources"]}
    assert by_type["prometheus"]["url"] == "http://prometheus:9090"
    ch = by_type["grafana-clickhouse-datasource"]
    assert ch["jsonData"]["host"] == "clickhouse" and ch["jsonData"]["defaultDatabase"] == "micromoments"
    prov = yaml.safe_load((DEPLOY / "grafana" / "provisioning" / "dashboards" / "dashboards.yaml").read_text())
    mounted = {v.split(":")[1] for v in services["grafana"]["volumes"] if v.startswith("./grafana/dashboards")}
    assert prov["providers"][0]["options"]["path"] in mounted


def test_dashboard_has_the_panels() -> None:
    dash = json.loads((DEPLOY / "grafana" / "dashboards" / "micromoments.json").read_text())
    ds = yaml.safe_load((DEPLOY / "grafana" / "provisioning" / "datasources" / "datasources.yaml").read_text())
    uids = {d["uid"] for d in ds["datasources"]}
    panels = {p["title"]: p for p in dash["panels"]}

    def queries(p: dict) -> str:
        return " ".join(t.get("expr", "") + t.get("rawSql", "") for t in p["targets"])

    def find(word: str) -> dict:
        hits = [p for t, p in panels.items() if word.lower() in t.lower()]
        assert hits, f"no panel titled with {word!r}: {list(panels)}"
        return hits[0]

    moments = find("moments per minute")
    assert "class" in moments["title"] and "channel" in moments["title"]
    assert moments["datasource"]["type"] == "grafana-clickhouse-datasource"
    assert "moments_per_minute" in queries(moments) and "channel" in queries(moments)
    assert "micromoments_moment_latency_seconds_bucket" in queries(find("latency"))
    assert "micromoments_dlq_total" in queries(find("DLQ"))
    assert "lag" in queries(find("lag"))
    assert "micromoments_model_macro_f1" in queries(find("model quality"))
    for p in dash["panels"]:
        assert p["datasource"]["uid"] in uids
        for t in p["targets"]:
            assert t["datasource"]["uid"] in uids
    assert len({p["id"] for p in dash["panels"]}) == len(dash["panels"])


# --------------------------------------------------------------------------- AsyncAPI


def _contract_topics() -> set[str]:
    topics = set(CONTRACT_TOPICS)
    if DESIGN.is_file():
        text = DESIGN.read_text()
        found = set(re.findall(r"`((?:events|moments|ref)\.[a-z]+|feedback)`", text))
        assert {"events.clickstream", "ref.venues", "events.dlq", "moments.buy"} <= found
        topics |= found
    return topics


def test_asyncapi_names_every_contract_topic(asyncapi_doc: dict) -> None:
    assert asyncapi_doc["asyncapi"] == "3.0.0"
    addresses = {c["address"] for c in asyncapi_doc["channels"].values()}
    assert _contract_topics() <= addresses
    actions = {}
    for op in asyncapi_doc["operations"].values():
        channel = _resolve(asyncapi_doc, op["channel"]["$ref"])
        actions[channel["address"]] = op["action"]
    for topic in ("events.clickstream", "events.search", "events.location", "feedback", "ref.venues"):
        assert actions[topic] == "receive", topic
    for topic in ("moments.know", "moments.go", "moments.do", "moments.buy", "events.dlq"):
        assert actions[topic] == "send", topic
    venues = next(c for c in asyncapi_doc["channels"].values() if c["address"] == "ref.venues")
    assert venues["bindings"]["kafka"]["topicConfiguration"]["cleanup.policy"] == ["compact"]


def test_asyncapi_lists_the_internal_topics_too(asyncapi_doc: dict) -> None:
    """mm.analytics.* and mm.control are a contract between worker, sink and operators."""
    from schemas.topics import ALL_TOPICS, WORKER_TOPICS

    addresses = {c["address"] for c in asyncapi_doc["channels"].values()}
    assert set(ALL_TOPICS) - set(WORKER_TOPICS) <= addresses, set(ALL_TOPICS) - addresses
    names = {m["name"] for m in asyncapi_doc["components"]["messages"].values()}
    assert {"AnalyticsEvent", "AnalyticsSession", "ModelMetrics", "EraseRequest"} <= names


def test_asyncapi_describes_every_field_of_every_message(asyncapi_doc: dict) -> None:
    schemas = asyncapi_doc["components"]["schemas"]
    for stem, (model, _) in SCHEMA_FILES.items():
        props = schemas[model.__name__]["properties"]
        missing = set(model.model_fields) - set(props)
        assert not missing, (stem, missing)
    text = yaml.safe_dump(asyncapi_doc)
    for model, _ in SCHEMA_FILES.values():
        for field in model.model_fields:
            assert field in text


def test_asyncapi_keys_are_described(asyncapi_doc: dict) -> None:
    for channel in asyncapi_doc["channels"].values():
        for ref in channel["messages"].values():
            msg = _resolve(asyncapi_doc, ref["$ref"])
            key = msg["bindings"]["kafka"]["key"]
            expected = "venue_id" if channel["address"] == "ref.venues" else "user"
            assert expected in key["description"], channel["address"]


def _resolve(doc: dict, ref: str):
    assert ref.startswith("#/"), ref
    node = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_asyncapi_refs_resolve(asyncapi_doc: dict) -> None:
    def walk(node) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "$ref":
                    _resolve(asyncapi_doc, v)
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(asyncapi_doc)
    assert "$defs" not in yaml.safe_dump(asyncapi_doc)


def test_schemas_asyncapi_command_writes_yaml(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "sub" / "asyncapi.yaml"
    assert main(["schemas", "asyncapi", "--out", str(out)]) == 0
    doc = yaml.safe_load(out.read_text())
    assert doc["asyncapi"] == "3.0.0" and doc["components"]["schemas"]["Moment"]
    capsys.readouterr()
    assert main(["schemas", "asyncapi"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["asyncapi"] == "3.0.0"


# --------------------------------------------------------------------------- topics CLI


def test_topics_help() -> None:
    res = subprocess.run([sys.executable, "-m", "micromoments", "topics", "--help"], capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    assert "create" in res.stdout and "list" in res.stdout
    with pytest.raises(SystemExit) as exc:
        main(["topics", "create", "--help"])
    assert exc.value.code == 0


def test_topics_create_reports_an_unreachable_broker(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture) -> None:
    from config import get_settings

    monkeypatch.setenv("MOMENTS_KAFKA_BOOTSTRAP", "127.0.0.1:1")  # nothing listens on port 1
    try:
        assert main(["topics", "create", "--wait", "0"]) == 2
        assert "could not create the topics" in capsys.readouterr().err
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()  # no later test may see the unreachable bootstrap


def test_every_package_folder_is_a_regular_package() -> None:
    """setuptools' find (pyproject) takes only folders with an __init__.py into the wheel (and so
    into the Docker image): a folder without one works in the editable install only."""
    include = re.search(r'^include = \[(.*)\]', (ROOT / "pyproject.toml").read_text(), flags=re.M).group(1)
    for top in (p.strip(' "*') for p in include.split(",")):
        for folder in [ROOT / top, *(d for d in (ROOT / top).rglob("*") if d.is_dir())]:
            if any(folder.glob("*.py")) and "__pycache__" not in folder.parts:
                assert (folder / "__init__.py").exists(), folder


def test_serve_runs_replicas_with_shared_keys_and_is_scraped(services: dict) -> None:
    serve = services["serve"]
    assert serve["command"][:1] == ["serve"] and "0.0.0.0" in serve["command"]
    assert serve["deploy"]["replicas"] >= 2 and "container_name" not in serve
    assert "8080/health" in " ".join(serve["healthcheck"]["test"])
    assert serve["environment"]["MOMENTS_API_KEYS_FILE"].startswith("/keys/")
    assert any(v.startswith("serve-keys:/keys") for v in serve["volumes"])
    jobs = {j["job_name"]: j for j in yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
            ["scrape_configs"]}
    sd = jobs["micromoments-serve"]["dns_sd_configs"][0]
    assert sd["names"] == ["serve"] and sd["port"] == 8080
    dash = json.loads((DEPLOY / "grafana" / "dashboards" / "micromoments.json").read_text())
    exprs = " ".join(t["expr"] for p in dash["panels"] if p["title"].startswith("Serve") for t in p["targets"])
    assert "micromoments_serve_request_seconds_bucket" in exprs and "micromoments_serve_lag_records" in exprs


def test_alert_rules_name_metrics_the_project_exports(services: dict) -> None:
    """Grafana alert rules for lag, DLQ rate, undelivered results, drift and serving latency; every
    metric they query is exported by the worker, sink or serve (or the Kafka exporter)."""
    rules = yaml.safe_load((DEPLOY / "grafana" / "provisioning" / "alerting" / "micromoments-alerts.yaml").read_text())
    found = {r["uid"]: r for g in rules["groups"] for r in g["rules"]}
    assert {"mm-consumer-lag", "mm-dlq-rate", "mm-undelivered", "mm-model-drift", "mm-serve-latency"} <= set(found)
    sources = "".join((ROOT / p).read_text() for p in ("pipeline/metrics.py", "sinks/metrics.py", "serving/guard.py"))
    for rule in found.values():
        assert rule["condition"] == "C" and rule["annotations"]["summary"]
        expr = rule["data"][0]["model"]["expr"]
        for metric in re.findall(r"\b(micromoments_[a-z0-9_]+)", expr):
            base = re.sub(r"_(total|bucket)$", "", metric)
            assert f'"{base}"' in sources, (rule["uid"], metric)
        assert "micromoments_" in expr or "kafka_consumergroup_lag" in expr
    sink = services["sink"]
    assert sink["environment"]["MOMENTS_SINK_METRICS_PORT"] == "6068" and "6068" in sink["expose"]
    jobs = {j["job_name"]: j for j in yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
            ["scrape_configs"]}
    assert jobs["micromoments-sink"]["static_configs"][0]["targets"] == ["sink:6068"]


def test_worker_model_checkpoints_survive_a_recreated_container(services: dict, compose: dict) -> None:
    assert "worker-models:/data/model" in services["worker"]["volumes"] and "worker-models" in compose["volumes"]
    docker = (DEPLOY / "Dockerfile").read_text()
    assert "mkdir -p /data/model" in docker and "chown -R micromoments:micromoments /data" in docker


def test_the_readme_lists_every_setting() -> None:
    from config import Settings

    readme = (ROOT / "README.md").read_text()
    missing = [f"MOMENTS_{n.upper()}" for n in Settings.model_fields if f"`MOMENTS_{n.upper()}`" not in readme]
    assert not missing, f"README's configuration table lacks {missing}"
