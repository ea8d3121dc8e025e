"""`python -m cli ...` is the `grace` command (the local stack starts its parts so)."""

from cli.main import main

main()
