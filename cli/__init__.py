"""The ``haken`` command line (the console script points at ``cli.main:main``)."""
