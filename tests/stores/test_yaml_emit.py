"""The emitter decides the usual strings' styles without PyYAML, as libyaml would."""

from __future__ import annotations

import subprocess
import sys

import pytest

from secretsfile.stores import yaml_emit
from secretsfile.stores.yaml_emit import dump_yaml
from secretsfile.stores.yaml_resolve import must_quote
from secretsfile.stores.yaml_store import load_yaml

ARMOR = "-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n"
SAMPLES = [
    "2026-12-01T17:40:00Z", "3.11.0", ARMOR, "-", "--", "---x", "...a", "-x", "1.2.3",
    "0777", "yes", "null", "~", "a b", "a: b", "a #b", "x ", "a\n", "a \nb", "\nx",
    "ENC[AES256_GCM,data:,iv:x,tag:y,type:str]", "1_000", ".5", "+1", "12:30", "@x", "%x",
    "a%", "a@b", "a[0]", "x,y", "é", "tab\there", "(x)", "$HOME",
]  # fmt: skip


def _libyaml_style(text: str, is_key: bool) -> str:
    """The style as decided from libyaml's full scalar analysis (the reference)."""
    analysis = yaml_emit._analyzer().analyze_scalar(text)
    if "\n" in text and not is_key:
        return "literal" if analysis.allow_block and text[0] not in " \n" else "double"
    if must_quote(text):
        return "double"
    if analysis.allow_block_plain and not analysis.empty and not analysis.multiline:
        return "plain"
    if analysis.allow_single_quoted and not (is_key and analysis.multiline):
        return "single"
    return "double"


@pytest.mark.parametrize("text", SAMPLES)
@pytest.mark.parametrize("is_key", [False, True])
def test_style_matches_libyaml_analysis(text: str, is_key: bool) -> None:
    assert yaml_emit._string_style(text, is_key) == _libyaml_style(text, is_key)


def test_metadata_shapes_do_not_import_pyyaml() -> None:
    code = (
        "import sys\n"
        "from secretsfile.stores.yaml_emit import dump_yaml\n"
        f"dump_yaml([{{'a': 'ENC[AES256_GCM,data:eA==,iv:aQ==,tag:dA==,type:str]',"
        f" 'sops': {{'enc': {ARMOR!r}, 'lastmodified': '2026-12-01T17:40:00Z',"
        " 'version': '3.11.0', 'n': 'null'}}])\n"
        "assert 'yaml' not in sys.modules, 'PyYAML was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(("value", "written"), [
    # as sops 3.11 (go-yaml) writes them: NEL and characters above U+FFFF are not printable
    # there, so the value is double-quoted with escapes (a NEL in single quotes read back
    # as a space: the value changed on the way through `edit`)
    ("ours\x85X", '"ours\\NX"'),
    ("a\U0001F600", '"a\\U0001F600"'),
    ("x\ny\x85z", '"x\\ny\\Nz"'),
    ("a\nb\U0001F600", '"a\\nb\\U0001F600"'),
    ("a\xa0b", "a\xa0b"),
    ("a\tb", '"a\\tb"'),
])  # fmt: skip
def test_values_go_yaml_cannot_print_are_double_quoted(value: str, written: str) -> None:
    text = dump_yaml([{"k": value}])
    assert text == f"k: {written}\n"
    assert load_yaml(text) == [{"k": value}]
