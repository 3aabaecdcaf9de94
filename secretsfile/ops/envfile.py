"""Reading one environment file into named secrets: the path shared by the loader (which
caches it) and the secret commands. Imports only what reading needs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from secretsfile.errors import IntegrityError, KeyUnavailableError, scrubbed
from secretsfile.secrets.model import Secret, secret_from_tree

if TYPE_CHECKING:
    from secretsfile.ops.document import EncryptedDocument


def read_env_file(path: Path, env: str, private: bool = False, strict: bool = False
                  ) -> dict[str, Secret] | None:
    """name -> Secret (None when the file does not exist). ``SECRETSFILE_AGE_KEY_<ENV>``
    is tried besides the usual identities; ``strict``: a missing integrity tag is an
    error (``ProjectConfig.requires_tag``)."""
    document = parse_env_file(path)
    return None if document is None else open_env_document(document, env, private, strict)


def parse_env_file(path: Path) -> EncryptedDocument | None:
    """The encrypted file parsed, no key needed (None when it does not exist)."""
    if not path.exists():
        return None
    from secretsfile.ops.document import read_encrypted_file

    return single_document(read_encrypted_file(path))


def single_document(document: EncryptedDocument) -> EncryptedDocument:
    """An environment file holds exactly one document: readers of named secrets look at
    one, so a second one (a '---' added by hand) would hide secrets or shadow them."""
    if len(document.docs) != 1:
        raise IntegrityError(
            f"holds {len(document.docs)} YAML documents; an environment file holds exactly one",
            path=document.path,
            hint="remove the '---' lines (restore the file from git if you did not add them)",
        )
    return document


@scrubbed
def open_env_document(document: EncryptedDocument, env: str, private: bool = False,
                      strict: bool = False) -> dict[str, Secret]:
    """Decrypt a parsed environment file into its named secrets. Errors leave without
    the frames that hold decrypted values."""
    document = single_document(document)
    from secretsfile.keysources.age import env_key_var, for_environment
    from secretsfile.ops.document import open_document
    from secretsfile.ops.whoami import no_key_hint

    try:
        with for_environment(env):
            data = open_document(document, for_update=False, strict=strict).plain[0]
    except KeyUnavailableError as error:
        error.message = f"cannot decrypt environment {env!r}: {error.message}"
        error.hint = (f"{no_key_hint(env)}; or set {env_key_var(env)} to an identity of one "
                      "of those recipients")
        raise
    return {str(name): secret_from_tree(str(name), env, node, private)
            for name, node in data.items() if isinstance(name, str)}
