"""The secretariat's HTTP service: ``app.py`` builds it and mounts ``api/`` and ``console/``;
``web/`` is what both share, ``logic/`` the work behind them, ``db/`` the database."""
