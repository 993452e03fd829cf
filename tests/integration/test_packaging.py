"""One import package (issue 8, finding 9): the wheel installs `rightsized/` and nothing generic,
and a user's own `eval/` or `pipelines/` folder in the working directory cannot shadow ours."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration]

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built from a copy of the tracked files: what a clean checkout packages, and no build/
    folder left in the working tree."""
    source = tmp_path_factory.mktemp("source")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(out), str(source)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    [built] = out.glob("rightsized-*.whl")
    return built


def test_the_wheel_installs_one_top_level_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names}
    assert len(top) == 2 and "rightsized" in top and any(t.endswith(".dist-info") for t in top), top
    for expected in ("rightsized/pipelines/app/cli.py", "rightsized/pipelines/tiers.yaml",
                     "rightsized/eval/metrics/__init__.py", "rightsized/ingest/pipeline.py",
                     "rightsized/domains/registry.py", "rightsized/domains/bfsi_kyc/__init__.py",
                     "rightsized/domains/bfsi_kyc/data/mrz_test_vectors.json"):
        assert expected in names, expected
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "rightsized = rightsized.pipelines.app.cli:app" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_the_wheel_runs_from_a_clean_target(wheel: Path, tmp_path: Path) -> None:
    """Installed without the source tree on the path: the domain subpackages and data came along."""
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    code = ("import rightsized.domains.bfsi_kyc as k, rightsized.pipelines.config as c; "
            "from rightsized.domains.registry import load_all; loaded, failed = load_all(); "
            "assert c.PACKAGED_TIERS.exists() and str(c.PACKAGED_TIERS).startswith(%r), c.PACKAGED_TIERS; "
            "assert 'bfsi_kyc' in loaded and not failed, failed; print('ok')" % str(target))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-S", "-c", f"import sys; sys.path[:0] = [{str(target)!r}] + "
                           f"[p for p in {sys.path!r} if 'site-packages' in p and '__editable__' not in p]; {code}"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_a_users_eval_or_pipelines_folder_cannot_shadow_ours(tmp_path: Path) -> None:
    for name in ("eval", "pipelines", "domains", "ingest"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text(f"raise ImportError('the user\\'s own {name} was imported')\n")
    done = subprocess.run([sys.executable, "-c", "import rightsized.eval.report, rightsized.pipelines.app.cli, "
                           "rightsized.domains.registry, rightsized.ingest.pipeline; print('ours')"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ours", done.stderr
    cli = subprocess.run([str(Path(sys.executable).with_name("rightsized")), "tasks", "--json"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert cli.returncode == 0, cli.stderr
    assert "bfsi_kyc" in cli.stdout
