"""Recipient labels read from both spellings, and list edits that keep every comment."""

from __future__ import annotations

import io
from pathlib import Path

from secretsfile.config.edit import delete_item, round_trip_yaml
from secretsfile.config.labels import read_labels, shown
from secretsfile.keysources import registry

A = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
B = "age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg"
C = "age1yubd0dv9ssqsq5rw2ll6g2y8q5v9v5v9v9pt6ltmgw0nvl4lzx8qnpa9tq"
CONFIG = f"""\
environments:
  dev:
    recipients:
      - {A}  # alice
      # bob joined in March
      - {B}
      - {{key: {C}, name: carol}}   # contractor
  prod:
    recipients: [{A}]
"""


def test_labels_from_comments_and_the_explicit_form(tmp_path: Path) -> None:
    path = tmp_path / ".secretsfile.yaml"
    path.write_text(CONFIG)
    labels = read_labels(path)
    alice, bob, carol = (registry.parse_recipient(k) for k in (A, B, C))
    assert labels["dev"] == {alice: "alice", carol: "carol"}  # a line above labels nothing
    assert labels["prod"] == {}
    assert shown(alice, labels, "prod") == f"{A} (alice)"  # named elsewhere
    assert shown(bob, labels) == B
    assert read_labels(tmp_path / "missing.yaml") == {}
    (tmp_path / "broken.yaml").write_text("environments: [\n")
    assert read_labels(tmp_path / "broken.yaml") == {}


def test_delete_item_keeps_the_comment_lines_that_followed_it() -> None:
    yaml = round_trip_yaml()
    for index, kept in ((0, "# bob joined in March"), (1, "# contractor")):
        data = yaml.load(CONFIG)
        entry = data["environments"]["dev"]
        delete_item(entry, "recipients", entry["recipients"], index)
        buffer = io.StringIO()
        yaml.dump(data, buffer)
        text = buffer.getvalue()
        assert kept in text and text.count("\n") == CONFIG.count("\n") - 1
        assert (A in text) == (index != 0) or A in text.split("prod:")[1]
