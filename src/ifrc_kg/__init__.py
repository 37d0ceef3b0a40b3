"""ifrc-kg: IFRC network annual reports as a linked-data knowledge graph."""

__version__ = "0.1.0"
