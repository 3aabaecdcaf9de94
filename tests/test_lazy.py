"""secretsfile._lazy: modules by name on first use, without importlib."""

from __future__ import annotations

import subprocess
import sys

import pytest

from secretsfile import _lazy


def test_module_and_resolve_load_what_they_name() -> None:
    import json.decoder

    assert _lazy.module("json.decoder") is json.decoder
    assert _lazy.resolve("json.decoder:JSONDecoder") is json.decoder.JSONDecoder
    with pytest.raises(ModuleNotFoundError):
        _lazy.module("secretsfile.no_such_module")
    with pytest.raises(AttributeError):
        _lazy.resolve("json.decoder:NoSuchName")


def test_importlib_stays_unloaded() -> None:
    code = ("import sys; from secretsfile._lazy import resolve; "
            "resolve('json.decoder:JSONDecoder'); print('importlib' in sys.modules)")
    done = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True,
                          check=True, env={"PYTHONPATH": ":".join(p for p in sys.path if p)})
    assert done.stdout.strip() == "False"
