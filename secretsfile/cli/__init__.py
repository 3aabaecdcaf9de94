"""The command-line interface: the only importer of typer and rich."""
