"""The show contract: what the renderer, the print kit and the conductor agree on (docs/architecture.md).

Imports point one way: ``tools -> contract <- conductor``; this package imports
neither.  One module per concept:

* :mod:`.records` — typed JSON records (the manifest's and the conductor's wire messages):
  one definition gives parser and writer;
* :mod:`.recordwording` — the two phrasings of a record's refusals (manifest, wire);
* :mod:`.recordschema` — the same declarations as data: JSON Schema, the wire's field tables;
* :mod:`.manifest` — the bundle manifest's records (manifest, group, segment, cue...),
  its one writer and its one parser (docs/bundle-format.md);
* :mod:`.jsonshape` — depth and Unicode of any JSON taken in (manifest and frames), before its records;
* :mod:`.bundle` — a bundle folder: the parsed manifest, the files it may serve, verified;
* :mod:`.schema` — the manifest's JSON Schema, generated (docs/manifest.schema.json);
* :mod:`.duration` — the duration rule (samples -> time, rounded up);
* :mod:`.captions` — the caption timing rule;
* :mod:`.colours` — the manifest colour rule;
* :mod:`.urls`, :mod:`.grouptokens`, :mod:`.modes`, :mod:`.secret` — URL shapes, group
  tokens, assignment modes and the group secret;
* :mod:`.showlog` — the show log's records (the conductor writes, ``flashmob report`` reads).
"""
