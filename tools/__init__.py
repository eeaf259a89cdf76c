"""flashmob authoring tools: score language, renderer, QR and print (their commands: flashmob/cli/)."""

from flashmob import __version__  # noqa: F401 - one definition (the renderer writes it in manifests)
