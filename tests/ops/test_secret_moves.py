"""ops.secret_moves.copy_secret and the key rule: a copy carries the keys its source
already holds; only keys new to the secret are checked (naming.key_problem)."""

from __future__ import annotations

from pathlib import Path

import pytest

from secretsfile.config.project import load_project_config
from secretsfile.errors import UsageError
from secretsfile.ops.secret_moves import copy_secret
from secretsfile.ops.secrets import change_secret, find_secret, save_secret
from secretsfile.secrets.model import Secret

SEED = "seed-PLANTED-3c1d"


def test_copy_carries_keys_the_source_already_holds(prod_project: Path) -> None:
    config = load_project_config(prod_project / ".secretsfile.yaml")
    env = config.environment("prod")
    legacy = Secret("legacy", "prod", None, {"2fa_seed": SEED, "api.key": "k"})
    change_secret(config, env, "legacy", False, lambda _now: legacy, create=True,
                  carried=legacy.keys)  # as an older version wrote it
    existed, _ = copy_secret(config, env, env, "legacy", "legacy-copy")
    assert not existed
    assert find_secret(config, env, "legacy-copy").values == legacy.values
    with pytest.raises(UsageError) as caught:  # a key new to the secret is still checked
        save_secret(config, env, Secret("legacy", "prod", None,
                                        {**legacy.values, "new.key": "v"}), create=False)
    assert "key 'new.key'" in str(caught.value) and SEED not in caught.value.diagnostics()
    assert caught.value.hint == "write that value under the key 'new_key' instead"
