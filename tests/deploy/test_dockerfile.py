"""The Dockerfile: hadolint, the properties the issue asks for, .dockerignore.

No Docker engine here: the file is linted and read, not built.
"""

from __future__ import annotations

import json
import re
import subprocess
import tomllib

import pytest

from tests.deploy.manifests import ROOT, run, tool

DOCKERFILE = ROOT / "Dockerfile"

Instruction = tuple[str, str]  # (KEYWORD, arguments)


def _instructions(text: str) -> list[Instruction]:
    """Instructions with continuation lines joined and comments dropped."""
    instructions: list[Instruction] = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        pending += " " + stripped.removesuffix("\\").strip()
        if not stripped.endswith("\\"):
            keyword, _, args = pending.strip().partition(" ")
            instructions.append((keyword.upper(), args.strip()))
            pending = ""
    return instructions


def _stages(instructions: list[Instruction]) -> list[list[Instruction]]:
    stages: list[list[Instruction]] = []
    for instruction in instructions:
        if instruction[0] == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(instruction)
    return stages


def _args(instructions: list[Instruction]) -> dict[str, str]:
    """ARG defaults declared before the first FROM."""
    defaults = {}
    for keyword, args in instructions:
        if keyword == "FROM":
            break
        if keyword == "ARG" and "=" in args:
            name, _, value = args.partition("=")
            defaults[name] = value
    return defaults


@pytest.fixture(scope="module")
def instructions() -> list[Instruction]:
    return _instructions(DOCKERFILE.read_text())


@pytest.fixture(scope="module")
def runtime(instructions: list[Instruction]) -> list[Instruction]:
    return _stages(instructions)[-1]


def test_hadolint_passes_with_every_rule() -> None:
    result = run(tool("hadolint"), "--no-color", str(DOCKERFILE))
    assert result.returncode == 0, result.stdout + result.stderr
    # Any rule switched off must say why on the line above.
    lines = DOCKERFILE.read_text().splitlines()
    for number, line in enumerate(lines):
        if "hadolint ignore" in line:
            above = lines[number - 1].strip() if number else ""
            assert above.startswith("#"), f"line {number + 1}: ignored rule without a reason"
            assert "hadolint" not in above, f"line {number + 1}: ignored rule without a reason"


def test_hadolint_is_not_blind() -> None:
    """The same call flags a Dockerfile with known faults."""
    bad = "FROM python:latest\nRUN apt-get update && apt-get install -y curl\n"
    result = subprocess.run(
        [tool("hadolint"), "--no-color", "-"],
        input=bad,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "DL3007" in result.stdout  # latest tag


def test_multi_stage_with_locked_uv_sync(instructions: list[Instruction]) -> None:
    stages = _stages(instructions)
    assert len(stages) >= 2
    build_runs = " ".join(
        args for stage in stages[:-1] for keyword, args in stage if keyword == "RUN"
    )
    assert re.search(r"uv sync --locked --no-dev\b", build_runs)
    runtime_runs = " ".join(args for keyword, args in stages[-1] if keyword == "RUN")
    assert "uv " not in runtime_runs


def test_base_image_is_slim_python_pinned_to_a_patch_version(
    instructions: list[Instruction],
) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    python = pyproject["tool"]["mypy"]["python_version"]
    base = _stages(instructions)[-1][0][1]
    image = re.sub(r"\$\{(\w+)\}", lambda m: _args(instructions)[m.group(1)], base).split()[0]
    assert re.fullmatch(rf"python:{re.escape(python)}\.\d+-slim(-\w+)?", image), image


def test_uv_version_matches_the_makefile(instructions: list[Instruction]) -> None:
    makefile = (ROOT / "Makefile").read_text()
    wanted = re.search(r"^UV_VERSION := (\S+)", makefile, re.M)
    assert wanted
    images = [args.split()[0] for keyword, args in instructions if keyword == "FROM"]
    assert f"ghcr.io/astral-sh/uv:{wanted.group(1)}" in images


def test_runtime_runs_as_a_fixed_non_root_uid(runtime: list[Instruction]) -> None:
    users = [args for keyword, args in runtime if keyword == "USER"]
    assert users, "no USER in the final stage"
    uid = users[-1].split(":")[0]
    assert uid.isdigit(), "a numeric uid lets Kubernetes verify runAsNonRoot"
    assert int(uid) >= 10000


def test_runtime_has_no_build_tools(runtime: list[Instruction]) -> None:
    text = " ".join(args for _, args in runtime)
    for tool_name in ("apt-get install", "apk add", "gcc", "build-essential", "pip install"):
        assert tool_name not in text
    copies = [args for keyword, args in runtime if keyword == "COPY"]
    assert copies
    assert all(args.startswith("--from=build /app/.venv ") for args in copies), copies


def test_exec_form_entrypoint_and_unbuffered_output(runtime: list[Instruction]) -> None:
    entrypoints = [args for keyword, args in runtime if keyword == "ENTRYPOINT"]
    assert entrypoints
    assert json.loads(entrypoints[-1]) == ["newsingest"]
    env = " ".join(args for keyword, args in runtime if keyword == "ENV")
    assert re.search(r"\bPYTHONUNBUFFERED=1\b", env)
    assert re.search(r"\bNEWSINGEST_API_HOST=0\.0\.0\.0\b", env), "the API must listen beyond lo"


def test_healthcheck_probes_healthz_without_curl(runtime: list[Instruction]) -> None:
    checks = [args for keyword, args in runtime if keyword == "HEALTHCHECK"]
    assert len(checks) == 1
    command = json.loads(checks[0].split("CMD", 1)[1])
    assert command[:2] == ["python", "-c"]
    assert "/healthz" in command[2]
    compile(command[2], "<healthcheck>", "exec")  # valid Python


def test_oci_labels(runtime: list[Instruction]) -> None:
    labels = " ".join(args for keyword, args in runtime if keyword == "LABEL")
    for key in ("title", "description", "version", "revision", "source", "licenses"):
        assert f"org.opencontainers.image.{key}=" in labels


def _dockerignore_excludes(patterns: list[str], path: str) -> bool:
    """Docker's rule: the last pattern that matches the path or a parent wins."""

    def regex(pattern: str) -> re.Pattern[str]:
        out = ""
        i = 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                out, i = out + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                out, i = out + ".*", i + 2
            elif pattern[i] == "*":
                out, i = out + "[^/]*", i + 1
            elif pattern[i] == "?":
                out, i = out + "[^/]", i + 1
            else:
                out, i = out + re.escape(pattern[i]), i + 1
        return re.compile(out)

    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    excluded = False
    for raw in patterns:
        negate = raw.startswith("!")
        pattern = raw.removeprefix("!").strip("/")
        if any(regex(pattern).fullmatch(prefix) for prefix in prefixes):
            excluded = not negate
    return excluded


def test_dockerignore_keeps_only_what_the_build_copies(instructions: list[Instruction]) -> None:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    sources = [
        source
        for keyword, args in instructions
        if keyword == "COPY" and not args.startswith("--from")
        for source in args.split()[:-1]
    ]
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), source
        assert not _dockerignore_excludes(patterns, source.rstrip("/")), source
    assert not _dockerignore_excludes(patterns, "services/newsingest/cli.py")
    for unwanted in (
        ".git/HEAD",
        ".venv/bin/python",
        ".tools/bin/uv",
        "tests/unit/__init__.py",
        "k8s/base/kustomization.yaml",
        "deploy/docker-compose.yml",
        "services/newsingest/__pycache__/cli.cpython-311.pyc",
    ):
        assert _dockerignore_excludes(patterns, unwanted), unwanted
