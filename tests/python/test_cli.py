"""The command line: the summary, and one clear line plus a non-zero exit for bad options."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from salespipeline import cli, io
from salespipeline.schema import TABLES

SCRATCH = Path(tempfile.mkdtemp(prefix="salespipeline-cli-"))


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The command as a user types it, from a scratch folder (so the default
    output/ground_truth lands there, not in the repository)."""
    return subprocess.run(
        [sys.executable, "-m", "salespipeline", *args],
        capture_output=True,
        text=True,
        cwd=cwd or SCRATCH,
        timeout=120,
        check=False,
    )


def truth(folder: Path) -> list[str]:
    return ["--truth-out", str(folder / "truth")]


def test_generate_writes_every_table_and_prints_a_summary(tmp_path: Path) -> None:
    result = run("generate", "--seed", "5", "--scale", "0.02", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        f"{t}.csv" for t in TABLES
    )
    planted = sorted(p.name for p in (SCRATCH / "output" / "ground_truth").iterdir())
    assert planted == ["mrr_movements.csv", "opportunities.csv"], "ground truth beside the seeds"
    for table in TABLES:
        assert table in result.stdout
    assert "rows/s" in result.stdout
    assert "total" in result.stdout


def test_quiet_prints_nothing(tmp_path: Path) -> None:
    result = run("generate", "--scale", "0.01", "--quiet", "--out", str(tmp_path))
    assert result.returncode == 0
    assert result.stdout == ""
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scale", "-1"], "--scale must be zero or positive"),
        (["--scale", "abc"], "not a number"),
        (["--scale", "nan"], "--scale must be a finite number"),
        (["--seed", "-3"], "--seed must be a non-negative integer"),
        (["--seed", "1.5"], "not a whole number"),
        (["--start-date", "2024-05-01", "--end-date", "2024-04-30"], "is before --start-date"),
        (["--end-date", "2024-02-30"], "not a date"),
        (["--colour", "red"], "unrecognized arguments: --colour red"),
    ],
)
def test_bad_options_give_one_line_and_a_non_zero_exit(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = run("generate", "--out", str(tmp_path / "out"), *args)
    assert result.returncode == cli.EXIT_USAGE
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("salespipeline: error:")
    assert message in lines[0]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_unknown_command_is_refused(tmp_path: Path) -> None:
    result = run("explode")
    assert result.returncode == cli.EXIT_USAGE
    assert len(result.stderr.strip().splitlines()) == 1


def test_unwritable_output_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run("generate", "--scale", "0.01", "--out", str(blocker / "seeds"))
    assert result.returncode == cli.EXIT_FAILURE
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "cannot write to output folder" in lines[0]
    assert str(blocker / "seeds") in lines[0]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders anyway")
def test_read_only_output_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    result = run("generate", "--scale", "0.01", "--out", str(folder))
    assert result.returncode == cli.EXIT_FAILURE
    assert "cannot write to output folder" in result.stderr


def test_a_failure_while_writing_leaves_earlier_files_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "seeds"
    assert (
        cli.main(["generate", "--scale", "0.01", "--quiet", "--out", str(out), *truth(tmp_path)])
        == 0
    )
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    calls = {"n": 0}
    real_write = io._write_csv

    def fail_on_third(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        return real_write(*args, **kwargs)

    monkeypatch.setattr(io, "_write_csv", fail_on_third)
    code = cli.main(
        [
            "generate",
            "--seed",
            "99",
            "--scale",
            "0.01",
            "--quiet",
            "--out",
            str(out),
            *truth(tmp_path),
        ]
    )
    assert code == cli.EXIT_FAILURE
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before, "no half-written, temporary or mixed files"


def test_interrupted_generation_leaves_no_temporary_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import salespipeline.generator as generator

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(generator, "build_billing_orders", interrupted)
    code = cli.main(
        [
            "generate",
            "--scale",
            "0.01",
            "--quiet",
            "--out",
            str(tmp_path / "seeds"),
            *truth(tmp_path),
        ]
    )
    assert code == cli.EXIT_INTERRUPTED
    assert list((tmp_path / "seeds").iterdir()) == []
    assert list((tmp_path / "truth").iterdir()) == []


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("salespipeline")
    assert script.exists(), "pip install -e . provides the salespipeline command"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "generate" in result.stdout
