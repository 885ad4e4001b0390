"""``python -m cli`` is ``haken``: how ``haken serve`` starts its worker process."""

from cli.main import main

main()
