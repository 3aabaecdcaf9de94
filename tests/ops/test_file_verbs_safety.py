"""The file verbs raise without plaintext in traceback locals, and refuse values a secrets
file could not read back (an int past 64 bits, a Python object) before writing anything."""

from __future__ import annotations

import traceback
from pathlib import Path

import pytest

from secretsfile.errors import SecretsfileError
from secretsfile.ops import files
from secretsfile.ops.keygen import keygen

PLANTED = "hunter2-PLANTED-7"


@pytest.fixture
def sealed(tmp_path: Path) -> Path:
    keygen("age")
    path = tmp_path / "s.yaml"
    path.write_text(f"api-token: {PLANTED}\napp-db:\n    password: pw-{PLANTED}\n")
    files.encrypt_file(path, files.EncryptOptions(), in_place=True)
    return path


def _locals_text(error: BaseException) -> str:
    return "\n".join(repr(frame.f_locals) for frame, _ in traceback.walk_tb(error.__traceback__))


@pytest.mark.parametrize("call", [
    lambda p: files.get_value(p, "app-db.nope"),
    lambda p: files.set_value(p, "api-token.x", "v"),
    lambda p: files.unset_value(p, "nope.x"),
    lambda p: files.decrypt_file(p, extract="nope"),
])
def test_errors_carry_no_plaintext_in_frames(sealed: Path, call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SecretsfileError) as caught:
        call(sealed)
    assert PLANTED not in _locals_text(caught.value)


@pytest.mark.parametrize("value", [2**70, [1, 2**64], {"a": -(2**63) - 1}, object()])
def test_unstorable_values_are_refused_before_writing(sealed: Path, value: object) -> None:
    before = sealed.read_text()
    with pytest.raises(SecretsfileError):
        files.set_value(sealed, "x", value)  # type: ignore[arg-type]
    assert sealed.read_text() == before
    assert files.load_file(sealed)["api-token"] == PLANTED
    files.set_value(sealed, "x", 2**63 - 1)
    assert files.load_file(sealed)["x"] == 2**63 - 1
