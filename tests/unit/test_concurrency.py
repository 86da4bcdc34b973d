"""Two processes on one seeds folder: the second refuses, and the folder always holds one dataset.

Each scenario starts a real process that holds the folder's lock at a known moment: a generate
paused midway through its tables (its first files already written to temporary names), or the
main job paused inside ``dbt seed`` (dbt replaced by a stand-in that waits, so that no warehouse is
built). Whatever the second process does, the seeds folder holds all the tables of one run, byte
for byte those of a reference generation with the same options (the generator is deterministic).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import REPO_ROOT

from salespipeline import cli
from salespipeline.lock import LOCK_NAME, FolderBusyError, folder_lock
from salespipeline.schema import TABLES

SCALE = "0.05"

# `python -c` programs; the first argument is a file whose creation lets them go on.
PAUSED_GENERATE = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import salespipeline.generator as generator
    from salespipeline import cli

    go = Path(sys.argv[1])
    build_billing_orders = generator.build_billing_orders

    def paused(*args, **kwargs):
        print("paused", flush=True)
        while not go.exists():
            time.sleep(0.01)
        return build_billing_orders(*args, **kwargs)

    generator.build_billing_orders = paused
    sys.exit(cli.main(["generate", *sys.argv[2:]]))
    """
)

MAIN_JOB_PAUSED_IN_DBT_SEED = textwrap.dedent(
    """
    import sys, time, types
    from pathlib import Path

    go = Path(sys.argv[1])

    class Runner:
        def invoke(self, args):
            if args[0] == "seed":
                print("seeding", flush=True)
                while not go.exists():
                    time.sleep(0.01)
            return types.SimpleNamespace(success=True, exception=None)

    dbt = types.ModuleType("dbt.cli.main")
    dbt.dbtRunner = Runner
    sys.modules["dbt.cli.main"] = dbt

    from salespipeline import cli

    sys.exit(cli.main(["run", *sys.argv[2:]]))
    """
)


def hashes(folder: Path) -> dict[str, str]:
    """Every file in the folder (hidden ones too) by name, with the SHA-256 of its bytes."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def generate(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "salespipeline", "generate", "--scale", SCALE, "--quiet", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def reference(tmp_path: Path, seed: int) -> dict[str, str]:
    """The files a lone generate writes with these options."""
    folder = tmp_path / f"reference-{seed}"
    truth = tmp_path / f"reference-{seed}-truth"
    result = generate(
        tmp_path, "--seed", str(seed), "--out", str(folder), "--truth-out", str(truth)
    )
    assert result.returncode == 0, result.stderr
    files = hashes(folder)
    assert sorted(files) == sorted(f"{table}.csv" for table in TABLES)
    return files


class Paused:
    """A process started with one of the programs above, stopped where it waits for `go`."""

    def __init__(self, program: str, cwd: Path, ready: str, *args: str) -> None:
        self.go = cwd / f".go-{time.monotonic_ns()}"
        self.process = subprocess.Popen(
            [sys.executable, "-c", program, str(self.go), *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.strip() == ready:
                return
        raise AssertionError(f"never reached {ready!r}: {self.process.communicate()}")

    @property
    def pid(self) -> int:
        return self.process.pid

    def finish(self) -> tuple[int, str]:
        self.go.touch()
        _, stderr = self.process.communicate(timeout=120)
        self.go.unlink()
        return self.process.returncode, stderr

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


@pytest.fixture
def paused(tmp_path: Path) -> Iterator:
    started: list[Paused] = []

    def start(program: str, cwd: Path, ready: str, *args: str) -> Paused:
        started.append(Paused(program, cwd, ready, *args))
        return started[-1]

    yield start
    for process in started:
        process.kill()


def assert_refused(result: subprocess.CompletedProcess[str], folder: str, holder: int) -> None:
    assert result.returncode == cli.EXIT_FAILURE
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"{folder} is in use by process {holder}" in lines[0]


def test_a_second_generate_is_refused_while_another_writes_the_folder(
    tmp_path: Path, paused
) -> None:
    seeds, truth = tmp_path / "seeds", ["--truth-out", str(tmp_path / "truth")]
    assert generate(tmp_path, "--seed", "1", "--out", str(seeds), *truth).returncode == 0
    first = reference(tmp_path, 1)
    assert hashes(seeds) == first

    options = ["--seed", "2", "--scale", SCALE, "--quiet", "--out", str(seeds), *truth]
    writer = paused(PAUSED_GENERATE, tmp_path, "paused", *options)

    second = generate(tmp_path, "--seed", "3", "--out", str(seeds), *truth)

    assert_refused(second, str(seeds), writer.pid)
    assert (seeds / LOCK_NAME).read_text().strip() == str(writer.pid)
    # Still the first dataset, whole: the paused run's files are under temporary names.
    assert {name: h for name, h in hashes(seeds).items() if not name.startswith(".")} == first
    code, stderr = writer.finish()
    assert code == 0, stderr
    assert hashes(seeds) == reference(tmp_path, 2), "the paused run's dataset, and nothing else"


def test_the_main_job_refuses_to_start_while_a_generate_writes_the_seeds(
    tmp_path: Path, paused
) -> None:
    project = tmp_path / "project"
    (project / "seeds").mkdir(parents=True)
    (project / "main.py").write_bytes((REPO_ROOT / "main.py").read_bytes())
    options = ["--seed", "2", "--scale", SCALE, "--quiet", "--out", "seeds"]
    truth = ["--truth-out", str(tmp_path / "truth")]
    writer = paused(PAUSED_GENERATE, project, "paused", *options, *truth)

    job = subprocess.run(
        [sys.executable, "main.py", "--scale", SCALE, "--truth-out", str(tmp_path / "t")],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert job.returncode == cli.EXIT_FAILURE
    assert job.stdout == "", "no step started"
    assert job.stderr.startswith("main: error: ")
    assert_refused(job, "seeds", writer.pid)
    code, stderr = writer.finish()
    assert code == 0, stderr
    assert hashes(project / "seeds") == reference(tmp_path, 2)


def test_a_generate_is_refused_while_the_main_job_seeds_the_warehouse(
    tmp_path: Path, paused
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    options = ["--seed", "2", "--scale", SCALE, "--quiet", "--truth-out", str(tmp_path / "truth")]
    job = paused(MAIN_JOB_PAUSED_IN_DBT_SEED, project, "seeding", *options)
    generated = reference(tmp_path, 2)
    assert {n: h for n, h in hashes(project / "seeds").items() if n != LOCK_NAME} == generated

    second = generate(project, "--seed", "3", "--out", "seeds", "--truth-out", "other-truth")

    assert_refused(second, "seeds", job.pid)
    code, stderr = job.finish()
    assert code == 0, stderr
    assert hashes(project / "seeds") == generated, "what dbt seed read is what the folder holds"


def test_the_lock_is_reentrant_in_one_process_and_exclusive_between_processes(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "seeds"
    with folder_lock(folder), folder_lock(tmp_path / "." / "seeds"):
        probe = subprocess.run(
            [sys.executable, "-c", PROBE, str(folder)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert probe.stdout.strip() == f"busy {os.getpid()}", probe.stderr
    assert list(folder.iterdir()) == [], "a released lock leaves no file"
    # A lock file left by a killed holder (its process id, no lock) is taken over.
    (folder / LOCK_NAME).write_text("999999999\n")
    with folder_lock(folder):
        pass
    assert list(folder.iterdir()) == []


PROBE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from salespipeline.lock import FolderBusyError, folder_lock
    try:
        with folder_lock(Path(sys.argv[1])):
            print("free")
    except FolderBusyError as error:
        print("busy", error.holder)
    """
)


def test_folder_busy_error_names_the_folder_and_the_holder() -> None:
    error = FolderBusyError(Path("seeds"), 4242)
    assert str(error) == (
        "seeds is in use by process 4242 (a generate or the main job); "
        "run again when it has finished"
    )
