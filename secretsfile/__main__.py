from secretsfile.cli.main import run

run()
