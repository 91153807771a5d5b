"""Cloud's install, emulated: requirements.txt resolves under uv's default strategy and under pip.

Streamlit Community Cloud installs requirements.txt with uv and falls back to pip only when uv
fails. uv's default index strategy (first-index) takes every package that an extra index also
hosts from that index alone; PyTorch's CPU index hosts numpy, jinja2, pillow and more, at
versions that lag PyPI, so an `--extra-index-url` line for it made Cloud's uv fail on numpy.

PyTorch's host is not reachable from every machine that runs these tests, so a local HTTP server
stands in for it: /whl/cpu/<project>/ pages in PyTorch's style (absolute hrefs with a sha256,
PEP 658 metadata beside each wheel) that host torch 2.13.0 (+cpu for Linux and Windows) and an
old numpy, 2.2.6. The requirements' PyTorch URLs are pointed at it; everything else comes from
PyPI, as on Cloud. `uv pip compile` and `pip install --dry-run` only read metadata, so apart from
the local CPU wheel, the torch wheels are small ones that carry that wheel's own METADATA.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import os
import re
import shlex
import subprocess
import sys
import threading
import urllib.parse
import zipfile
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "requirements.txt"
PYTORCH_CPU = "https://download.pytorch.org/whl/cpu"
OLD_NUMPY = "2.2.6"  # PyTorch's CPU index hosts numpy; its copy lags PyPI's
NUMPY_METADATA = (
    f"Metadata-Version: 2.1\nName: numpy\nVersion: {OLD_NUMPY}\nRequires-Python: >=3.10\n"
)
PYTHONS = ("3.11", "3.12", "3.13")
LINUX_MACHINES = ("x86_64", "aarch64")


def pins(text: str) -> dict[str, str]:
    """name==version lines of uv's output, names in lower case."""
    return {name.lower(): version for name, version in re.findall(r"^([\w.-]+)==(\S+)", text, re.M)}


def pin(name: str, marker: str = "") -> str:
    """The version requirements.txt pins for name, on the line with that marker if given."""
    for line in REQUIREMENTS.read_text().splitlines():
        requirement, _, line_marker = line.partition(";")
        if requirement.strip().startswith(f"{name}==") and marker in line_marker:
            return requirement.strip().removeprefix(f"{name}==")
    raise AssertionError(f"requirements.txt pins no {name} {marker}")


def linux_torch_pin() -> str:
    return pin("torch", 'sys_platform == "linux"')


def other_torch_pin() -> str:
    return pin("torch", 'sys_platform != "linux"')


def pip_find_links_dirs() -> list[Path]:
    """Folders pip is configured to search for wheels (its config files and PIP_FIND_LINKS)."""
    listed = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True
    ).stdout
    values = re.findall(r"find-links='([^']*)'", listed)
    values.append(os.environ.get("PIP_FIND_LINKS", ""))
    folders = []
    for value in values:
        for item in value.split():
            path = Path(item.removeprefix("file://"))
            if path.is_dir() and path not in folders:
                folders.append(path)
    return folders


def local_cpu_torch_wheel() -> Path:
    version = linux_torch_pin()
    folders = pip_find_links_dirs()
    wheels = [
        wheel for folder in folders for wheel in sorted(folder.glob(f"torch-{version}-*.whl"))
    ]
    if wheels:
        return wheels[0]
    pytest.skip(
        f"no local torch-{version} wheel in pip's find-links folders "
        f"({', '.join(map(str, folders)) or 'none configured'}): nothing to emulate PyTorch's "
        "CPU page with"
    )


def write_wheel(path: Path, metadata: str, tag: str) -> None:
    """A wheel with only its dist-info: enough for resolvers, which read nothing else."""
    name, version = path.name.split("-")[:2]
    dist_info = f"{name}-{version}.dist-info"
    files = {
        f"{dist_info}/METADATA": metadata,
        f"{dist_info}/WHEEL": (
            f"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: false\nTag: {tag}\n"
        ),
    }
    with zipfile.ZipFile(path, "w") as wheel:
        for member, text in files.items():
            wheel.writestr(member, text)
        wheel.writestr(f"{dist_info}/RECORD", "".join(f"{m},,\n" for m in [*files, "RECORD"]))


def wheel_metadata(path: Path) -> bytes:
    with zipfile.ZipFile(path) as wheel:
        member = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        return wheel.read(member)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(functools.partial(file.read, 1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_project_page(folder: Path, project: str) -> None:
    """A PEP 503 project page as PyTorch writes them: absolute hrefs with the file's sha256 and
    PEP 658 metadata beside each wheel (so resolvers fetch the metadata, never the wheel)."""
    links = []
    for wheel in sorted(folder.glob(f"{project}-*.whl")):
        metadata = wheel_metadata(wheel)
        (folder / f"{wheel.name}.metadata").write_bytes(metadata)
        meta_hash = hashlib.sha256(metadata).hexdigest()
        href = f"/whl/cpu/{urllib.parse.quote(wheel.name)}#sha256={sha256(wheel)}"
        links.append(
            f'<a href="{html.escape(href)}" data-dist-info-metadata="sha256={meta_hash}" '
            f'data-core-metadata="sha256={meta_hash}">{html.escape(wheel.name)}</a><br/>'
        )
    page = folder / project / "index.html"
    page.parent.mkdir()
    page.write_text("<!DOCTYPE html>\n<html><body>\n" + "\n".join(links) + "\n</body></html>\n")


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def fake_pytorch_cpu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a local stand-in for https://download.pytorch.org/whl/cpu."""
    local = local_cpu_torch_wheel()
    torch_metadata = wheel_metadata(local).decode()
    version = linux_torch_pin()
    root = tmp_path_factory.mktemp("pytorch-host")
    cpu = root / "whl" / "cpu"
    cpu.mkdir(parents=True)
    # What PyTorch's CPU page holds for torch 2.13.0: +cpu wheels for Linux and Windows, and
    # the macOS wheels under the plain version, as on PyPI.
    plain = version.removesuffix("+cpu")
    plain_metadata = torch_metadata.replace(f"\nVersion: {version}\n", f"\nVersion: {plain}\n", 1)
    for python in PYTHONS:
        abi = "cp" + python.replace(".", "")
        for machine in LINUX_MACHINES:
            tag = f"{abi}-{abi}-manylinux_2_28_{machine}"
            torch = cpu / f"torch-{version}-{tag}.whl"
            if torch.name == local.name:
                torch.symlink_to(local)
            else:
                write_wheel(torch, torch_metadata, tag)
            write_wheel(cpu / f"numpy-{OLD_NUMPY}-{tag}.whl", NUMPY_METADATA, tag)
        write_wheel(
            cpu / f"torch-{version}-{abi}-{abi}-win_amd64.whl",
            torch_metadata,
            f"{abi}-{abi}-win_amd64",
        )
        mac = f"{abi}-{abi}-macosx_14_0_arm64"
        write_wheel(cpu / f"torch-{plain}-{mac}.whl", plain_metadata, mac)
    write_project_page(cpu, "torch")
    write_project_page(cpu, "numpy")

    handler = functools.partial(QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/whl/cpu"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def uv_bin() -> str:
    uv = pytest.importorskip("uv", reason="uv is not installed (it is in requirements-dev.txt)")
    return uv.find_uv_bin()


@pytest.fixture(scope="module")
def uv_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # A cache of our own: the stand-in's pages live at a new port each run, and a user's cache
    # must not answer for them.
    return tmp_path_factory.mktemp("uv-cache")


def pointed_at(base: str, text: str) -> str:
    assert PYTORCH_CPU in text, f"requirements.txt names no {PYTORCH_CPU} location"
    return text.replace(PYTORCH_CPU, base)


def todays_requirements(base: str) -> str:
    """requirements.txt as it was before this test: PyTorch's CPU index as an extra index."""
    kept = [line for line in REQUIREMENTS.read_text().splitlines() if not line.startswith("-")]
    return "\n".join([f"--extra-index-url {base}", *kept]) + "\n"


def uv_compile(
    uv_bin: str, cache: Path, requirements: str, folder: Path, python: str, platform: str
) -> subprocess.CompletedProcess[str]:
    path = folder / "requirements.txt"
    path.write_text(requirements)
    # uv's defaults, as on Cloud: no user or project config, and of the UV_* settings only those
    # that decide how uv reaches PyPI (an extra index or an index strategy set there would change
    # the very thing under test).
    keep = {"UV_DEFAULT_INDEX", "UV_INDEX_URL", "UV_NATIVE_TLS", "UV_INSECURE_HOST"}
    keep |= {"UV_HTTP_TIMEOUT", "UV_HTTP_RETRIES"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("UV_") or k in keep}
    # PyTorch's macOS wheels are for macOS 14 and later; uv assumes 13 unless told.
    env["MACOSX_DEPLOYMENT_TARGET"] = "14.0"
    # --no-python-downloads: without a local 3.12 or 3.13, uv would spend seconds trying to
    # download one before it resolves with the running Python and the target's version and tags.
    command = [
        uv_bin, "pip", "compile", str(path), "--python-version", python,
        "--python-platform", platform, "--no-config", "--cache-dir", str(cache),
        "--no-header", "--no-annotate", "--no-python-downloads",
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def test_requirements_name_no_index_but_pypi() -> None:
    # An --index-url or --extra-index-url line is what uv's first-index strategy turns against us.
    for line in REQUIREMENTS.read_text().splitlines():
        assert not re.match(r"\s*(-i\b|--index-url|--extra-index-url)", line), line


def test_todays_extra_index_line_fails_under_uvs_default_strategy(
    fake_pytorch_cpu: str, uv_bin: str, uv_cache: Path, tmp_path: Path
) -> None:
    # Proves the stand-in reproduces Cloud's failure; without it the tests below prove little.
    requirements = todays_requirements(fake_pytorch_cpu)
    result = uv_compile(uv_bin, uv_cache, requirements, tmp_path, "3.11", "x86_64-manylinux_2_28")
    assert result.returncode != 0, result.stdout
    numpy = pin("numpy")
    assert f"there is no version of numpy=={numpy}" in result.stderr, result.stderr


@pytest.mark.parametrize("machine", LINUX_MACHINES)
@pytest.mark.parametrize("python", PYTHONS)
def test_linux_takes_cpu_torch_from_pytorch_and_the_rest_from_pypi_under_uv(
    fake_pytorch_cpu: str, uv_bin: str, uv_cache: Path, tmp_path: Path, python: str, machine: str
) -> None:
    requirements = pointed_at(fake_pytorch_cpu, REQUIREMENTS.read_text())
    result = uv_compile(
        uv_bin, uv_cache, requirements, tmp_path, python, f"{machine}-manylinux_2_28"
    )
    assert result.returncode == 0, result.stderr
    resolved = pins(result.stdout)
    # Only the stand-in has a +cpu torch; numpy at the pinned version only PyPI has.
    assert resolved["torch"] == linux_torch_pin()
    assert resolved["numpy"] == pin("numpy")
    cuda = [name for name in resolved if name.startswith(("nvidia-", "cuda-", "triton"))]
    assert not cuda, f"CUDA packages resolved: {cuda}"


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("platform", ["aarch64-apple-darwin", "x86_64-pc-windows-msvc"])
def test_macos_and_windows_take_the_same_torch_release_without_cuda_under_uv(
    fake_pytorch_cpu: str, uv_bin: str, uv_cache: Path, tmp_path: Path, python: str, platform: str
) -> None:
    requirements = pointed_at(fake_pytorch_cpu, REQUIREMENTS.read_text())
    result = uv_compile(uv_bin, uv_cache, requirements, tmp_path, python, platform)
    if result.returncode != 0 and re.search(r"Failed to fetch|Request failed", result.stderr):
        pytest.skip(f"PyPI's torch metadata could not be fetched here: {result.stderr[-300:]}")
    assert result.returncode == 0, result.stderr
    resolved = pins(result.stdout)
    # PyPI's wheel, or PyTorch's own CPU build of the same release from its page: both CPU-only.
    assert resolved["torch"] in {other_torch_pin(), f"{other_torch_pin()}+cpu"}
    assert resolved["numpy"] == pin("numpy")
    cuda = [name for name in resolved if name.startswith(("nvidia-", "cuda-", "triton"))]
    assert not cuda, f"CUDA packages resolved: {cuda}"


def pip_environment() -> dict[str, str]:
    """The environment minus pip settings that add places to look for wheels.

    pip's own configuration may list a folder (here, /opt/wheels) holding the same torch+cpu
    wheel; pip could then take it from there and the test could not tell. What decides how pip
    reaches PyPI (its certificates, a proxy, an index mirror, timeouts) stays.
    """
    keep = {"PIP_CERT", "PIP_CLIENT_CERT", "PIP_INDEX_URL", "PIP_PROXY", "PIP_TRUSTED_HOST"}
    keep |= {"PIP_DEFAULT_TIMEOUT", "PIP_TIMEOUT", "PIP_RETRIES"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") or k in keep}
    env["PIP_CONFIG_FILE"] = os.devnull  # no configuration files at all
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="pip evaluates sys_platform on this machine")
@pytest.mark.parametrize("python", PYTHONS)
def test_linux_takes_cpu_torch_from_pytorch_and_the_rest_from_pypi_under_pip(
    fake_pytorch_cpu: str, tmp_path: Path, python: str
) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text(pointed_at(fake_pytorch_cpu, REQUIREMENTS.read_text()))
    report = tmp_path / "report.json"
    # pip knows a target platform only by its exact tags: every manylinux an x86_64 wheel may
    # carry, newest first. Markers are still this machine's (Linux), as the requirements need.
    platforms = [f"manylinux_2_{minor}_x86_64" for minor in range(28, 4, -1)]
    platforms += ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]
    command = [
        sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
        "--report", str(report), "--target", str(tmp_path / "target"),
        "--python-version", python, "--only-binary=:all:",
        *(f"--platform={platform}" for platform in platforms), "-r", str(path),
    ]  # fmt: skip
    result = subprocess.run(
        command, capture_output=True, text=True, env=pip_environment(), timeout=300
    )
    assert result.returncode == 0, f"{shlex.join(command)}\n{result.stderr}"
    installs = {
        item["metadata"]["name"].lower(): item for item in json.loads(report.read_text())["install"]
    }
    torch = installs["torch"]
    assert torch["metadata"]["version"] == linux_torch_pin()
    assert torch["download_info"]["url"].startswith(fake_pytorch_cpu)
    assert installs["numpy"]["metadata"]["version"] == pin("numpy")
    cuda = [name for name in installs if name.startswith(("nvidia-", "cuda-", "triton"))]
    assert not cuda, f"CUDA packages resolved: {cuda}"
