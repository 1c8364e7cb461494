"""The HTTP API and the web page of ``coinref serve``: see :func:`coinref.api.app.create_app`.

Nothing is imported here, so commands that do not serve never load FastAPI.
"""
