"""flashmob authoring tools: score language, renderer, QR and print (their commands: flashmob/cli/)."""

__version__ = "0.1.0"
