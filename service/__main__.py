"""``python -m service`` is ``haken``: how ``haken serve`` starts its worker process."""

from service.cli import main

main()
