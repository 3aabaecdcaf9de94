from secretsfile.cli.entry import run

run()
