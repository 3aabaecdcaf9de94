"""``ops.check_encrypted`` and its policy on str paths (``os.path``, no pathlib: issue 14):
every spelling of a path is judged and shown as ``Path`` would have it, and the report is
the same whether the caller hands in strs or Paths."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from secretsfile.config.project import guard_sources
from secretsfile.errors import InputNotFoundError
from secretsfile.git import sources
from secretsfile.ops.check_encrypted import check_encrypted
from secretsfile.ops.guard_policy import build_policy, load_policy

ENC = "ENC[AES256_GCM,data:Zm9v,iv:MDEyMzQ1Njc4OWFi,tag:MDEyMzQ1Njc4OWFiY2RlZg==,type:str]"
ENCRYPTED_YAML = f"password: {ENC}\nsops:\n    mac: {ENC}\n    version: 3.11.0\n"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path / "secrets" / "dev.yaml", ENCRYPTED_YAML)
    write(tmp_path / "secrets" / "prod.yaml", "password: plain\n")
    write(tmp_path / "app.py", "x = 1\n")
    return tmp_path


def lines(repo: Path, *paths: str, cwd: Path | None = None, staged: bool = False) -> list[str]:
    here = cwd or repo
    report = check_encrypted(paths, sources, guard_sources(here), cwd=str(here), staged=staged)
    return [f"{r.path} {r.ok}" for r in report.results]


def test_every_spelling_of_a_named_path_is_one_file(repo: Path) -> None:
    spellings = ("secrets/prod.yaml", "secrets/prod.yaml/", "./secrets//prod.yaml",
                 "secrets/../secrets/prod.yaml", str(repo / "secrets" / "prod.yaml"))  # fmt: skip
    assert [lines(repo, p) for p in spellings] == [["secrets/prod.yaml False"]] * len(spellings)
    assert lines(repo, "prod.yaml", "dev.yaml", cwd=repo / "secrets") == [
        "secrets/prod.yaml False", "secrets/dev.yaml True"]


def test_a_named_file_that_must_be_encrypted_and_is_missing(repo: Path) -> None:
    with pytest.raises(InputNotFoundError) as caught:
        lines(repo, "secrets/none.yaml")
    assert caught.value.path == "secrets/none.yaml"
    assert lines(repo, "app.py", "none.py") == []  # not required: not even looked for


def test_a_file_outside_the_repository_is_shown_as_named(repo: Path) -> None:
    """An environment file outside the repository: shown as given, '.' and '//' dropped,
    '..' kept (as ``Path.as_posix``)."""
    write(repo / ".secretsfile.yaml", f"environments:\n  e:\n    file: ../{repo.name}-out/e.yaml\n")
    write(repo.parent / f"{repo.name}-out" / "e.yaml", "a: 1\n")
    named = f"{repo}/./..//{repo.name}-out/e.yaml"
    assert lines(repo, named) == [f"{Path(named).as_posix()} False"]
    assert Path(named).as_posix() == f"{repo}/../{repo.name}-out/e.yaml"


def test_environment_files_are_listed_in_path_order(repo: Path) -> None:
    """Files the listing leaves out (ignored) come from the policy, sorted as Paths sort
    (by component: ``conf/b.yaml`` before ``conf-a/x.yaml``), not as strs."""
    names = ["conf-a/x.yaml", "conf/b.yaml", "conf/z/c.yaml", "conf.yaml"]
    config = "".join(f"  e{i}:\n    file: {name}\n" for i, name in enumerate(names))
    write(repo / ".secretsfile.yaml", "environments:\n" + config)
    write(repo / ".gitignore", "conf*\n")
    for name in names:
        write(repo / name, "a: 1\n")
    shown = [line.split()[0] for line in lines(repo)]
    expected = [p.relative_to(repo).as_posix() for p in sorted(repo / n for n in names)]
    assert shown[-len(names):] == expected
    assert expected[:2] == ["conf/b.yaml", "conf/z/c.yaml"]


def test_staged_reads_the_index_of_the_named_files(repo: Path) -> None:
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    write(repo / "secrets" / "prod.yaml", ENCRYPTED_YAML)  # fixed only in the worktree
    assert lines(repo, staged=True) == ["secrets/dev.yaml True", "secrets/prod.yaml False"]
    assert lines(repo, "secrets/prod.yaml/", staged=True) == ["secrets/prod.yaml False"]
    assert lines(repo, "app.py", staged=True) == []


def test_a_staged_path_without_a_file_is_not_passed(repo: Path) -> None:
    # a gitlink (submodule) where a secrets file must be: its content cannot be checked,
    # and it used to be dropped from the report silently
    head = "0123456789abcdef0123456789abcdef01234567"
    subprocess.run(["git", "-C", str(repo), "update-index", "--add", "--cacheinfo",
                    f"160000,{head},secrets/sub.yaml"], check=True)  # fmt: skip
    report = check_encrypted((), sources, guard_sources(repo), cwd=str(repo), staged=True)
    [result] = [r for r in report.results if r.path == "secrets/sub.yaml"]
    assert not result.ok and result.problem == "not checked (no file in the index)"


def test_the_policy_answers_alike_for_strs_and_paths(repo: Path) -> None:
    as_str = build_policy(str(repo), [(str(repo), "secrets/dev.yaml")], [], ["x"])
    as_path = build_policy(repo, [(repo, "secrets/dev.yaml")], [], ["x"])
    names = ["secrets/dev.yaml", "secrets/x.txt", "secrets/README.md", "app.py", "secrets"]
    for name in names:
        assert as_str.requires(str(repo / name)) == as_path.requires(repo / name), name
    assert as_str == as_path
    policy, root = load_policy(guard_sources(repo), str(repo), None)
    assert root == str(repo) and policy.origin == "default"
