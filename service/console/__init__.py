"""The secretariat's web console: server-rendered pages over the service's own logic.

Mounted at ``/`` by ``create_app`` beside the API. Every page reads and writes
through ``service.logic`` exactly as the API does, so the console has no rules of
its own and no second copy of the data.
"""
