"""``python -m coinref`` runs the CLI."""

from coinref.cli import main

main()
