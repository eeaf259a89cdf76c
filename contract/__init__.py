"""flashmob.contract: the show contract, imported by the renderer, the print kit and the conductor.

Imports point one way: ``tools -> contract <- conductor``; this package imports
neither (docs/architecture.md).  One module per concept:

* :mod:`.records` — typed JSON records: one definition gives writer, parser, JSON Schema;
* :mod:`.manifest` — the bundle manifest's records (manifest, group, segment, cue...),
  its writer and its parser (docs/bundle-format.md);
* :mod:`.bundle` — a bundle folder: the parsed manifest, the files it may serve, verified;
* :mod:`.schema` — the manifest's JSON Schema, generated (docs/manifest.schema.json);
* :mod:`.duration` — the duration rule (samples -> time, rounded up);
* :mod:`.captions` — the caption timing rule;
* :mod:`.colours` — the manifest colour rule.
"""
