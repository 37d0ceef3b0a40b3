"""The web face of the graph: SPARQL endpoint, linked-data pages, downloads.

``create_app(settings)`` builds the FastAPI app; ``ifrc-kg serve`` runs it under uvicorn.
"""

from __future__ import annotations

from ifrc_kg.server.app import create_app

__all__ = ["create_app"]
