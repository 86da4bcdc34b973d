"""The command line: its verbs and aliases, the summary, and one clear line plus a non-zero exit
for bad options."""

from __future__ import annotations

import ast
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from support import REPO_ROOT

from salespipeline import cli, dataset, io, pipeline
from salespipeline.config import MAX_SCALE, GeneratorConfig
from salespipeline.db.data_loading import loader
from salespipeline.errors import one_line
from salespipeline.lock import LOCK_NAME
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


def earlier_seeds(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """A seeds folder written by an earlier, successful run, and the bytes of each of its files
    (what a failed run must leave untouched)."""
    out = tmp_path / "seeds"
    args = ["generate", "--scale", "0.01", "--quiet", "--out", str(out), *truth(tmp_path)]
    assert cli.main(args) == 0
    return out, {p.name: p.read_bytes() for p in out.iterdir()}


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
    out, before = earlier_seeds(tmp_path)

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


def _one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("salespipeline: error:"), stderr
    return lines[0]


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _hidden_temporary_files(*folders: Path) -> list[Path]:
    return [p for folder in folders if folder.exists() for p in folder.glob(".*.csv.tmp")]


def test_a_scale_beyond_the_maximum_is_refused_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import salespipeline.generator as generator

    def never(*args, **kwargs):
        raise AssertionError("the generator must not start")

    monkeypatch.setattr(generator, "generate", never)
    for scale in ("1000", str(MAX_SCALE + 0.5)):
        code = cli.main(["generate", "--scale", scale, "--out", str(tmp_path / "out")])
        assert code == cli.EXIT_USAGE
        line = _one_error_line(capsys.readouterr().err)
        assert f"--scale must be at most {MAX_SCALE}" in line
    assert not (tmp_path / "out").exists()
    GeneratorConfig(scale=MAX_SCALE)  # the maximum itself is accepted


@pytest.mark.parametrize(
    ("step", "error"),
    [
        ("writing", pa.ArrowInvalid("offset overflow while concatenating arrays\nin column x")),
        ("writing", pa.ArrowCapacityError("array cannot contain more than 2147483646 bytes")),
        ("writing", MemoryError()),
        ("generating", pa.ArrowInvalid("offset overflow")),
        ("generating", MemoryError()),
    ],
)
def test_arrow_and_memory_errors_are_one_line_and_exit_1(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    step: str,
    error: BaseException,
) -> None:
    import salespipeline.generator as generator

    out, before = earlier_seeds(tmp_path)

    def fail(*args, **kwargs):
        raise error

    if step == "writing":
        monkeypatch.setattr(io, "_write_csv", fail)
    else:
        monkeypatch.setattr(generator, "build_activities", fail)
    code = cli.main(
        ["generate", "--seed", "9", "--scale", "0.01", "--out", str(out), *truth(tmp_path)]
    )

    assert code == cli.EXIT_FAILURE
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "cannot generate or write the seeds" in _one_error_line(captured.err)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize(
    ("out", "truth_out", "message"),
    [
        ("data", "data", "must be separate folders"),
        ("data", "data/../data/.", "must be separate folders"),
        ("data", "data/truth", "must be separate folders"),
        ("data/seeds", "data", "must be separate folders"),
        ("", "truth", "argument --out: empty path"),
        ("data", "", "argument --truth-out: empty path"),
        (" ", "truth", "argument --out: empty path"),
        ("a-file", "truth", "--out a-file exists and is not a folder"),
        ("data", "a-file", "--truth-out a-file exists and is not a folder"),
    ],
)
def test_output_folders_that_would_lose_or_mix_files_are_refused(
    tmp_path: Path, out: str, truth_out: str, message: str
) -> None:
    (tmp_path / "a-file").write_text("not a folder")

    result = run(
        "generate", "--scale", "0.01", "--out", out, "--truth-out", truth_out, cwd=tmp_path
    )

    assert result.returncode == cli.EXIT_USAGE
    assert result.stdout == ""
    assert message in _one_error_line(result.stderr)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a-file"], "nothing written"


def test_a_symlinked_truth_folder_inside_the_seeds_is_refused(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "elsewhere").symlink_to(tmp_path / "seeds")
    result = run(
        "generate",
        "--scale",
        "0.01",
        "--out",
        "seeds",
        "--truth-out",
        "elsewhere/truth",
        cwd=tmp_path,
    )
    assert result.returncode == cli.EXIT_USAGE
    assert "must be separate folders" in _one_error_line(result.stderr)


def _start_generate(out: Path, truth_out: Path, scale: str = "3") -> subprocess.Popen[str]:
    """A generate big enough to be stopped midway, once it has its first temporary file."""
    command = [sys.executable, "-m", "salespipeline", "generate", "--scale", scale, "--quiet"]
    process = subprocess.Popen(
        [*command, "--out", str(out), "--truth-out", str(truth_out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not _hidden_temporary_files(out):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no temporary file appeared"
        time.sleep(0.01)
    return process


def test_sigterm_removes_the_temporary_files(tmp_path: Path) -> None:
    out, planted = tmp_path / "seeds", tmp_path / "truth"
    process = _start_generate(out, planted)

    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == cli.EXIT_TERMINATED, stderr
    assert stderr.strip().splitlines() == ["salespipeline: terminated; no seed file was changed"]
    assert _files(out) == []
    assert _files(planted) == []


def test_the_next_run_removes_what_a_killed_run_left(tmp_path: Path) -> None:
    out, planted = tmp_path / "seeds", tmp_path / "truth"
    process = _start_generate(out, planted)
    process.kill()  # SIGKILL: nothing can clean up
    process.communicate(timeout=60)
    assert _hidden_temporary_files(out), "the killed run left temporary files"
    # Files of other names are not the generator's to remove.
    others = [".notes.csv.tmp", ".accounts.csv.tmp.keep", "accounts.backup.csv.tmp"]
    for name in others:
        (out / name).write_text("keep me")

    result = run("generate", "--scale", "0.01", "--quiet", "--out", str(out), *truth(tmp_path))

    assert result.returncode == 0, result.stderr
    assert _files(out) == sorted([*(f"{t}.csv" for t in TABLES), *others])
    assert _files(planted) == ["mrr_movements.csv", "opportunities.csv"]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_clean_removes_what_a_stopped_command_leaves(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    (seeds / "reference").mkdir(parents=True)
    (tmp_path / "models").mkdir()
    leftovers = [
        "seeds/accounts.csv",
        "seeds/.accounts.k2j4_x9a.csv.tmp",
        "seeds/.write-check-abc123",
        f"seeds/{LOCK_NAME}",
        ".user.yml",
        "salespipeline.duckdb",
    ]
    kept = ["seeds/reference/currencies.csv", "seeds/_raw__seeds.yml", "models/x.sql"]
    for name in leftovers + kept:
        (tmp_path / name).write_text("x")

    result = subprocess.run(
        ["make", "-f", str(REPO_ROOT / "Makefile"), "clean"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    remaining = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert remaining == sorted(kept)


# --- one command line over the library ------------------------------------------------------

PACKAGE = REPO_ROOT / "salespipeline"
# The older commands, each a module that runs a verb under its old name: path -> alias(...) args.
ALIASES: dict[str, tuple[str, ...]] = {
    "salespipeline/db/init_db.py": ("init_db", "init-db"),
    "salespipeline/db/data_loading/load_all.py": ("load_all", "load", "all"),
    **{
        f"salespipeline/db/data_loading/load_{table}.py": (f"load_{table}", "load", table)
        for table in TABLES
    },
}
ENTRY_POINTS = {"salespipeline/cli.py", "salespipeline/__main__.py", *ALIASES}


@pytest.mark.parametrize("verb", [" ".join(path) for path in cli.COMMANDS] + ["load"])
def test_every_verb_answers_help(verb: str) -> None:
    result = run(*verb.split(), "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: salespipeline {verb} ")


def test_the_help_lists_every_verb() -> None:
    listed = run("--help").stdout
    for verb in ("generate", "run", "init-db", "load", "query", "report"):
        assert re.search(rf"^    {verb} ", listed, re.MULTILINE), verb


def _imported(path: Path, tree: ast.Module) -> set[str]:
    """Every module a file imports, relative imports resolved (``from x import y`` counts as
    ``x`` and ``x.y``, since y may be a module)."""
    package = path.relative_to(REPO_ROOT).with_suffix("").parts[:-1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(name.name for name in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{name.name}" for name in node.names)
    return found


def test_the_library_never_imports_the_command_line() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(REPO_ROOT).as_posix() in ENTRY_POINTS:
            continue
        if "salespipeline.cli" in _imported(path, ast.parse(path.read_text())):
            offenders.append(path.relative_to(REPO_ROOT).as_posix())
    assert offenders == []


def test_one_helper_tells_errors_on_one_line(tmp_path: Path) -> None:
    definitions = [
        path.relative_to(REPO_ROOT).as_posix()
        for path in sorted(PACKAGE.rglob("*.py"))
        if re.search(r"^def (one_line|first_line)\(", path.read_text(), re.MULTILINE)
    ]
    assert definitions == ["salespipeline/errors.py"]

    connection = duckdb.connect()
    connection.execute("create table accounts (account_id int)")
    with pytest.raises(duckdb.Error) as caught:
        connection.execute("select * from acounts")
    # The hint on the next line stays; the statement with its ^^^ pointer goes.
    assert one_line(caught.value) == (
        'Catalog Error: Table with name acounts does not exist! Did you mean "accounts"?'
    )
    bad = tmp_path / "bad.csv"
    bad.write_text('a,b\n1,2\n3,"4\n5,6,7\n')
    columns = "{'a': 'varchar', 'b': 'varchar'}"
    with pytest.raises(duckdb.Error) as caught:
        connection.execute(
            f"select * from read_csv('{bad}', header = true, auto_detect = false, "
            f"columns = {columns})"
        ).fetchall()
    text = one_line(caught.value)
    assert text.startswith("Invalid Input Error: CSV Error on Line: 3")
    assert "\n" not in text
    assert "Possible fixes" not in text, "the reader's settings and advice stay out"
    assert one_line(OSError(28, "No space left on device")) == "[Errno 28] No space left on device"
    assert one_line(MemoryError()) == "MemoryError"


def test_aliases_are_one_call_of_their_verb() -> None:
    """Each older command is a module docstring, one import and one call: no code of its own."""
    modules = {
        path.relative_to(REPO_ROOT).as_posix()
        for path in (PACKAGE / "db").rglob("*.py")
        if path.name not in ("__init__.py", "loader.py", "ddl.py")
    }
    assert modules == set(ALIASES), "every module of salespipeline/db is a loader or an alias"
    expected = {**ALIASES, "main.py": ("main", "run")}
    for name, call in expected.items():
        tree = ast.parse((REPO_ROOT / name).read_text())
        docstring, *imports, main = tree.body
        assert isinstance(docstring, ast.Expr), name
        assert all(isinstance(node, ast.ImportFrom | ast.Import) for node in imports), name
        assert "from salespipeline.cli import alias" in [ast.unparse(n) for n in imports], name
        assert ast.unparse(main.test) == "__name__ == '__main__'", name
        (statement,) = main.body
        called = statement.exc.args[0]
        assert ast.unparse(called.func) == "alias", name
        assert tuple(ast.literal_eval(arg) for arg in called.args) == call, name
        assert call[1:] in cli.COMMANDS


def test_make_runs_the_verbs() -> None:
    makefile = (REPO_ROOT / "Makefile").read_text()
    calls = re.findall(r"\$\(BIN\)/salespipeline ([a-z-]+(?: all)?)", makefile)
    assert {"generate", "run", "init-db", "load all", "report"} <= set(calls)
    for call in calls:
        assert tuple(call.split()) in cli.COMMANDS, call


COMMANDS_WITHOUT_THE_GENERATOR = """
import sys
from salespipeline import cli

seeds, reference = sys.argv[1:]
assert cli.main(["init-db"]) == 0
assert cli.main(["load", "all", "--seeds", seeds, "--reference", reference]) == 0
assert cli.alias("load_accounts", "load", "accounts", argv=["--file", f"{seeds}/accounts.csv"]) == 0
assert cli.main(["query", "select count(*) from raw.accounts"]) == 0
heavy = ("numpy", "pyarrow", "faker", "salespipeline.generator", "plotly", "dbt")
print("loaded:", *sorted(name for name in heavy if name in sys.modules))
"""


def test_the_database_commands_and_query_start_without_the_generator(tmp_path: Path) -> None:
    """NumPy, Arrow and Faker take a second to import: only commands that generate load them."""
    seeds = tmp_path / "seeds"
    assert (
        cli.main(["generate", "--scale", "0.01", "--quiet", "--out", str(seeds), *truth(tmp_path)])
        == 0
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            COMMANDS_WITHOUT_THE_GENERATOR,
            str(seeds),
            str(REPO_ROOT / "seeds" / "reference"),
        ],
        cwd=tmp_path,
        env={**os.environ, "SALESPIPELINE_DUCKDB": str(tmp_path / "wh.duckdb")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "loaded:"


class _FakeDbt:
    """dbt's runner, succeeding at once."""

    def invoke(self, args: list[str]) -> types.SimpleNamespace:
        return types.SimpleNamespace(success=True, exception=None)


def test_generate_the_main_job_and_the_loaders_share_one_generate_function(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[GeneratorConfig, Path, Path]] = []

    def generate_dataset(config, out, truth_out=dataset.GROUND_TRUTH, progress=None):
        calls.append((config, Path(out), Path(truth_out)))
        return dataset.GeneratedDataset(paths={}, rows={})

    monkeypatch.setattr(dataset, "generate_dataset", generate_dataset)
    monkeypatch.setitem(sys.modules, "dbt.cli.main", types.SimpleNamespace(dbtRunner=_FakeDbt))
    monkeypatch.setenv("DBT_PROFILES_DIR", str(tmp_path))
    monkeypatch.setenv("SALESPIPELINE_SPARK_DIR", str(tmp_path / ".spark"))
    monkeypatch.chdir(tmp_path)

    assert cli.main(["generate", "--seed", "3", "--quiet", "--out", "a", "--truth-out", "t"]) == 0
    assert cli.main(["run", "--seed", "4", "--scale", "0.5", "--quiet"]) == 0
    pipeline.run_main_job(tmp_path, GeneratorConfig(seed=5), truth_out=Path("t5"))
    loader.ensure_seeds(tmp_path / "empty")

    assert calls == [
        (GeneratorConfig(seed=3), Path("a"), Path("t")),
        (GeneratorConfig(seed=4, scale=0.5), dataset.SEEDS, dataset.GROUND_TRUTH),
        (GeneratorConfig(seed=5), dataset.SEEDS, Path("t5")),
        (GeneratorConfig(), tmp_path / "empty", dataset.GROUND_TRUTH),
    ]


def test_run_passes_its_target_to_every_dbt_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoked: list[list[str]] = []

    class RecordingDbt(_FakeDbt):
        def invoke(self, args: list[str]) -> types.SimpleNamespace:
            invoked.append(args)
            return super().invoke(args)

    monkeypatch.setattr(
        dataset,
        "generate_dataset",
        lambda *_args, **_kwargs: dataset.GeneratedDataset(paths={}, rows={}),
    )
    monkeypatch.setitem(sys.modules, "dbt.cli.main", types.SimpleNamespace(dbtRunner=RecordingDbt))
    monkeypatch.setenv("DBT_PROFILES_DIR", str(tmp_path))
    monkeypatch.setenv("SALESPIPELINE_SPARK_DIR", str(tmp_path / ".spark"))
    monkeypatch.chdir(tmp_path)

    assert cli.main(["run", "--quiet", "--target", "postgres"]) == 0
    assert cli.main(["run", "--quiet"]) == 0

    steps = [args[: args.index("--project-dir")] for args in invoked]
    assert steps == [
        ["seed", "--target", "postgres"],
        ["build", "--exclude", "resource_type:seed", "--target", "postgres"],
        ["docs", "generate", "--static", "--target", "postgres"],
        ["seed"],
        ["build", "--exclude", "resource_type:seed"],
        ["docs", "generate", "--static"],
    ]
