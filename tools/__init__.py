"""flashmob authoring tools: score language, renderer, QR and print, and the CLI."""

__version__ = "0.1.0"
