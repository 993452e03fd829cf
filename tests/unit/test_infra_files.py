"""Structure checks for infra/: compose files, Helm values and the guide's links.

No Docker engine or Kubernetes runs where these tests run, so nothing is started: the files are
parsed with `yaml.safe_load_all` and checked for what would otherwise only show up on a real
host (an unpinned image, a port published on every interface, a missing healthcheck, a broken
link). The helper tests at the bottom show the checks reject what they are meant to reject.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
MILVUS_COMPOSE = INFRA / "milvus-standalone" / "docker-compose.yml"
MODEL_COMPOSE = INFRA / "model-server" / "docker-compose.yml"
HELM_VALUES = INFRA / "milvus-cluster" / "values.yaml"
GUIDE = INFRA / "README.md"

YAML_FILES = sorted(p for p in INFRA.rglob("*") if p.suffix in {".yml", ".yaml"} and p.is_file())


# --- helpers ---------------------------------------------------------------------------------


def image_is_pinned(image: str) -> bool:
    """True for `repo:tag` with an explicit version-like tag, or any `repo@sha256:...` digest.

    Rejected: no tag (`milvusdb/milvus`), `latest`, floating tags without a version number
    (`ghcr.io/ggml-org/llama.cpp:server`), unresolved variables (`img:${TAG}`). A registry
    port (`localhost:5000/img`) is not a tag.
    """
    if "$" in image:
        return False
    if re.search(r"@sha256:[0-9a-f]{64}$", image):
        return True
    name, sep, tag = image.rpartition(":")
    if not sep or "/" in tag or not name:
        return False
    return tag != "latest" and re.search(r"\d", tag) is not None


def port_is_local(port: Any) -> bool:
    """Short syntax `127.0.0.1:HOST:CONTAINER` or long syntax with `host_ip: 127.0.0.1`."""
    if isinstance(port, dict):
        return port.get("host_ip") == "127.0.0.1"
    return str(port).startswith("127.0.0.1:") and str(port).count(":") == 2


def relative_links(markdown: str) -> list[str]:
    """Targets of inline Markdown links that are not URLs or in-page anchors (fragment dropped)."""
    targets = re.findall(r"\]\(([^)\s]+)\)", markdown)
    return [t.split("#", 1)[0] for t in targets
            if not re.match(r"^[a-z][a-z0-9+.-]*:", t, re.I) and not t.startswith("#")]


def load_one(path: Path) -> dict[str, Any]:
    docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]
    assert len(docs) == 1, f"{path}: expected one YAML document, got {len(docs)}"
    assert isinstance(docs[0], dict), f"{path}: top level must be a mapping"
    return docs[0]


# --- every YAML file -------------------------------------------------------------------------


def test_the_expected_infra_files_exist() -> None:
    for path in (MILVUS_COMPOSE, MODEL_COMPOSE, HELM_VALUES, GUIDE):
        assert path.is_file(), f"missing {path.relative_to(REPO)}"


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(INFRA)))
def test_every_yaml_under_infra_parses(path: Path) -> None:
    docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    assert any(d is not None for d in docs), f"{path}: empty"


@pytest.mark.parametrize("path", [MILVUS_COMPOSE, MODEL_COMPOSE], ids=["milvus", "model-server"])
def test_compose_images_pinned_and_ports_local(path: Path) -> None:
    services = load_one(path)["services"]
    for name, svc in services.items():
        assert image_is_pinned(svc["image"]), f"{path.name}: {name}: image {svc['image']!r} not pinned"
        for port in svc.get("ports", []):
            assert port_is_local(port), f"{path.name}: {name}: port {port!r} not bound to 127.0.0.1"


# --- Milvus standalone -----------------------------------------------------------------------


def test_milvus_standalone_compose_structure() -> None:
    compose = load_one(MILVUS_COMPOSE)
    services = compose["services"]
    assert {"etcd", "minio", "standalone"} <= set(services)
    for name in ("etcd", "minio", "standalone"):
        assert services[name].get("healthcheck", {}).get("test"), f"{name}: no healthcheck"

    assert services["etcd"]["image"].startswith("quay.io/coreos/etcd:v3.5.")
    assert services["minio"]["image"].startswith("minio/minio:RELEASE.")
    minio_date = services["minio"]["image"].split("RELEASE.", 1)[1][:10]
    assert minio_date >= "2023-03-20", "MinIO older than the release the Milvus 2.5 compose uses"

    milvus = services["standalone"]
    assert re.fullmatch(r"milvusdb/milvus:v2\.5\.\d+", milvus["image"]), milvus["image"]
    assert milvus["command"] == ["milvus", "run", "standalone"]
    assert milvus["environment"]["ETCD_ENDPOINTS"] == "etcd:2379"
    assert milvus["environment"]["MINIO_ADDRESS"] == "minio:9000"
    assert "http://localhost:9091/healthz" in milvus["healthcheck"]["test"]
    assert set(milvus["depends_on"]) == {"etcd", "minio"}
    published = {str(p).rsplit(":", 1)[-1] for p in milvus["ports"]}
    assert published == {"19530", "9091"}
    for name in ("etcd", "minio", "standalone"):
        volumes = services[name]["volumes"]
        assert all(v.startswith("${DOCKER_VOLUME_DIRECTORY:-.}/volumes/") for v in volumes), volumes


# --- model servers ---------------------------------------------------------------------------


def test_model_server_compose_structure() -> None:
    services = load_one(MODEL_COMPOSE)["services"]
    assert set(services) == {"vllm", "llamacpp"}
    for name, svc in services.items():
        assert svc.get("profiles") == [name], f"{name}: expected profiles [{name!r}]"

    vllm = services["vllm"]
    assert vllm["image"].startswith("vllm/vllm-openai:")
    args = " ".join(map(str, vllm["command"]))
    assert "--model ${MODEL:-Qwen/Qwen2.5-7B-Instruct}" in args
    devices = vllm["deploy"]["resources"]["reservations"]["devices"]
    assert any(d.get("driver") == "nvidia" and "gpu" in d.get("capabilities", []) for d in devices)
    assert vllm["ports"] == ["127.0.0.1:8000:8000"]
    assert "HUGGING_FACE_HUB_TOKEN" in vllm["environment"]
    assert vllm["environment"]["HUGGING_FACE_HUB_TOKEN"].startswith("${"), "token must come from the environment"
    assert any("/root/.cache/huggingface" in v for v in vllm["volumes"])

    llama = services["llamacpp"]
    assert llama["image"].startswith("ghcr.io/ggml-org/llama.cpp:server")
    cmd = llama["command"] if isinstance(llama["command"], str) else " ".join(llama["command"])
    assert "-m /models/${GGUF:-model.gguf}" in cmd and "--port 8080" in cmd and "-t ${THREADS:-4}" in cmd
    assert any(str(v).startswith("./models:/models") for v in llama["volumes"])
    assert llama["ports"] == ["127.0.0.1:8080:8080"]


def test_model_server_comments_name_the_rightsized_config() -> None:
    text = MODEL_COMPOSE.read_text(encoding="utf-8")
    assert "RIGHTSIZED_MID_URL=http://127.0.0.1:8000/v1" in text
    assert "RIGHTSIZED_MID_URL=http://127.0.0.1:8080/v1" in text
    assert "tiers.mid.generator.mode=chat" in text


# --- Helm values -----------------------------------------------------------------------------


def test_helm_values_cluster_mode() -> None:
    values = load_one(HELM_VALUES)
    assert values["cluster"]["enabled"] is True
    assert values["etcd"]["replicaCount"] >= 3
    assert values["minio"]["mode"] == "distributed" or values.get("externalS3", {}).get("enabled")
    assert values["service"]["type"] == "ClusterIP"
    assert image_is_pinned(f"{values['image']['all']['repository']}:{values['image']['all']['tag']}")
    for component in ("proxy", "queryNode", "dataNode", "indexNode"):
        spec = values[component]
        assert spec["replicas"] >= 1, component
        assert spec["resources"]["requests"] and spec["resources"]["limits"], f"{component}: resources"
    queues = [q for q in ("pulsarv3", "pulsar", "kafka", "woodpecker")
              if values.get(q, {}).get("enabled")]
    assert len(queues) == 1, f"exactly one message queue must be enabled, got {queues}"


def test_helm_values_state_the_chart_version_they_target() -> None:
    text = HELM_VALUES.read_text(encoding="utf-8")
    stated = re.search(r"chart version (\d+\.\d+\.\d+)", text)
    installed = re.search(r"helm install .*zilliztech/milvus --version (\d+\.\d+\.\d+)", text)
    assert stated and installed, "state the chart version and use it in the helm install command"
    assert stated.group(1) == installed.group(1)
    assert "helm repo add zilliztech https://zilliztech.github.io/milvus-helm/" in text
    if stated.group(1).startswith("4."):  # chart 4.x = Milvus 2.5: Pulsar/Kafka, no Woodpecker
        assert not load_one(HELM_VALUES).get("woodpecker", {}).get("enabled")


# --- the guide -------------------------------------------------------------------------------


def test_guide_relative_links_resolve() -> None:
    links = relative_links(GUIDE.read_text(encoding="utf-8"))
    assert links, "the guide links no files"
    missing = [t for t in links if not (GUIDE.parent / t).exists()]
    assert not missing, f"infra/README.md links to missing files: {missing}"


def test_guide_store_configs_are_accepted_by_rightsized(tmp_path: Path) -> None:
    """Every YAML block of the guide that configures a store loads, with the backend it names."""
    from rightsized.pipelines.config import load_settings

    blocks = re.findall(r"```yaml\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)
    stores = [b for b in blocks if re.search(r"^store:", b, flags=re.M)]
    backends = set()
    for number, block in enumerate(stores):
        path = tmp_path / f"block{number}.yaml"
        path.write_text(block, encoding="utf-8")
        backends.add(load_settings(path, None).store.backend)
    assert backends == {"milvus_lite", "milvus", "pinecone"}


# --- the checks themselves -------------------------------------------------------------------


@pytest.mark.parametrize("image, pinned", [
    ("milvusdb/milvus:v2.5.16", True),
    ("minio/minio:RELEASE.2024-05-28T17-19-04Z", True),
    ("ghcr.io/ggml-org/llama.cpp:server-b7010", True),
    ("vllm/vllm-openai@sha256:" + "a" * 64, True),
    ("milvusdb/milvus", False),
    ("milvusdb/milvus:latest", False),
    ("ghcr.io/ggml-org/llama.cpp:server", False),
    ("localhost:5000/milvus", False),
    ("vllm/vllm-openai:${VLLM_TAG}", False),
])
def test_image_pin_check(image: str, pinned: bool) -> None:
    assert image_is_pinned(image) is pinned


@pytest.mark.parametrize("port, local", [
    ("127.0.0.1:19530:19530", True),
    ({"target": 8000, "published": 8000, "host_ip": "127.0.0.1"}, True),
    ("19530:19530", False),
    ("19530", False),
    ("0.0.0.0:19530:19530", False),
    ({"target": 8000, "published": 8000}, False),
])
def test_port_check(port: Any, local: bool) -> None:
    assert port_is_local(port) is local


def test_link_extraction_skips_urls_and_anchors() -> None:
    md = "[a](x/y.yml) [b](https://milvus.io) [c](#when-to-move) [d](../z.md#part) [e](mailto:a@b.c)"
    assert relative_links(md) == ["x/y.yml", "../z.md"]


# --- Kubernetes: the single-process server and the KubeRay RayService ---------------------------

K8S = INFRA / "k8s"
K8S_DEPLOYMENT = K8S / "deployment.yaml"
RAYSERVICE = K8S / "rayservice.yaml"


def _by_kind(path: Path) -> dict[str, dict[str, Any]]:
    docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]
    return {d["kind"]: d for d in docs}


def _serve_options() -> set[str]:
    import typer

    from rightsized.pipelines.app.cli import app

    command = typer.main.get_command(app).commands["serve"]  # type: ignore[attr-defined]
    return {opt for param in command.params for opt in param.opts}


def test_k8s_deployment_runs_the_server_with_keys_probes_and_a_grace_period() -> None:
    found = _by_kind(K8S_DEPLOYMENT)
    deployment, service = found["Deployment"], found["Service"]
    assert deployment["apiVersion"] == "apps/v1" and service["apiVersion"] == "v1"
    assert deployment["spec"]["replicas"] == 1  # Milvus Lite: one process per folder
    assert deployment["spec"]["strategy"]["type"] == "Recreate"
    pod = deployment["spec"]["template"]
    assert deployment["spec"]["selector"]["matchLabels"] == pod["metadata"]["labels"] == service["spec"]["selector"]
    [container] = pod["spec"]["containers"]
    assert image_is_pinned(container["image"])
    command = container["command"]
    assert command[:2] == ["rightsized", "serve"]
    options = [c for c in command[2:] if c.startswith("--")]
    assert set(options) <= _serve_options(), f"options `rightsized serve` does not have: {set(options) - _serve_options()}"
    value = {command[i]: command[i + 1] for i in range(2, len(command) - 1) if command[i].startswith("--")}
    assert value["--host"] == "0.0.0.0"
    env = {e["name"]: e for e in container["env"]}
    keys_file = Path(env["RIGHTSIZED_API_KEYS_FILE"]["value"])  # a public bind needs keys: from the Secret
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    [keys_mount] = [m for m in mounts.values() if Path(m["mountPath"]) == keys_file.parent]
    assert volumes[keys_mount["name"]]["secret"]["secretName"] and keys_mount["readOnly"] is True
    assert [p["containerPort"] for p in container["ports"]] == [int(value["--port"])]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert pod["spec"]["terminationGracePeriodSeconds"] > float(value["--shutdown-timeout"])
    assert container["resources"]["requests"] and container["resources"]["limits"]
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
    assert service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["ports"][0]["targetPort"] == container["ports"][0]["name"]


def test_rayservice_builds_the_repos_app_with_a_replica_group_per_tier() -> None:
    import importlib

    import ray

    from rightsized.pipelines.app.serve.ray_app import TierScaling
    from rightsized.pipelines.config import load_settings

    service = load_one(RAYSERVICE)
    assert (service["apiVersion"], service["kind"]) == ("ray.io/v1", "RayService")
    cluster = service["spec"]["rayClusterConfig"]
    assert cluster["rayVersion"] == ray.__version__  # the version the tests run
    assert cluster["enableInTreeAutoscaling"] is True
    config = yaml.safe_load(service["spec"]["serveConfigV2"])
    [application] = config["applications"]
    module, _, attribute = application["import_path"].partition(":")
    assert callable(getattr(importlib.import_module(module), attribute))
    args = application["args"]
    settings = load_settings(overrides=args["set"])  # the overrides are valid config
    tiers = {name: TierScaling.model_validate(options) for name, options in args["tiers"].items()}
    assert set(tiers) <= set(settings.tiers)
    assert tiers["small"].max_ongoing_requests == 1 and tiers["small"].num_gpus == 0  # one generation at a time, CPU
    assert tiers["mid"].num_gpus >= 1 and settings.tier("mid").generator.backend == "transformers"
    groups = {g["groupName"]: g for g in cluster["workerGroupSpecs"]}
    gpu_limits = [c["resources"]["limits"].get("nvidia.com/gpu", 0) for c in groups["gpu"]["template"]["spec"]["containers"]]
    assert gpu_limits and all(n >= 1 for n in gpu_limits)
    for group in groups.values():
        assert group["minReplicas"] <= group["replicas"] <= group["maxReplicas"]
    pods = [cluster["headGroupSpec"]["template"], *(g["template"] for g in groups.values())]
    for pod in pods:
        for container in pod["spec"]["containers"]:
            assert image_is_pinned(container["image"]), container["image"]
            names = {e["name"] for e in container.get("env", [])}
            assert "RIGHTSIZED_API_KEYS_FILE" in names  # Serve's proxy listens on 0.0.0.0: keys on
