// Generated from contract/manifest.py by `python -m flashmob.contract.schema`: do not edit.
// The JSON Schema of a show bundle's manifest.json (docs/manifest.schema.json).
export const MANIFEST_SCHEMA = {
 "$schema": "https://json-schema.org/draft/2020-12/schema",
 "$id": "https://flashmob.invalid/manifest.schema.json",
 "title": "flashmob-bundle manifest.json",
 "description": "A flashmob show bundle's manifest (docs/bundle-format.md). Generated from contract/manifest.py by `python -m flashmob.contract.schema`: do not edit.",
 "type": "object",
 "properties": {
  "format": {
   "description": "always flashmob-bundle",
   "const": "flashmob-bundle"
  },
  "version": {
   "description": "the format version",
   "type": "integer",
   "enum": [
    1
   ]
  },
  "show_id": {
   "description": "16 hex digits from the score, assets and settings",
   "type": "string",
   "pattern": "^[A-Za-z0-9_-]{1,64}$"
  },
  "title": {
   "description": "the show's name",
   "type": "string",
   "maxLength": 500
  },
  "organizer": {
   "description": "who organizes",
   "anyOf": [
    {
     "$ref": "#/$defs/Organizer"
    },
    {
     "type": "null"
    }
   ]
  },
  "language": {
   "description": "BCP 47 language of the texts",
   "anyOf": [
    {
     "type": "string",
     "maxLength": 35
    },
    {
     "type": "null"
    }
   ]
  },
  "event": {
   "description": "the score's event block",
   "anyOf": [
    {
     "$ref": "#/$defs/Event"
    },
    {
     "type": "null"
    }
   ]
  },
  "sample_rate": {
   "description": "of every timeline (Hz)",
   "anyOf": [
    {
     "type": "integer",
     "minimum": 8000,
     "maximum": 384000
    },
    {
     "type": "null"
    }
   ]
  },
  "duration": {
   "description": "of every group's timeline (all groups have the same length)",
   "$ref": "#/$defs/Duration"
  },
  "meetings_ms": {
   "description": "where the groups come back together",
   "type": "array",
   "items": {
    "type": "integer",
    "minimum": 0,
    "maximum": 86400000
   },
   "default": []
  },
  "settings": {
   "description": "how it was rendered",
   "$ref": "#/$defs/Settings"
  },
  "groups": {
   "description": "in score order",
   "type": "array",
   "items": {
    "$ref": "#/$defs/Group"
   },
   "minItems": 1,
   "maxItems": 1000
  },
  "surprise": {
   "description": "the groups are a surprise (absent: they are not)",
   "anyOf": [
    {
     "$ref": "#/$defs/Surprise"
    },
    {
     "type": "null"
    }
   ]
  }
 },
 "required": [
  "format",
  "version",
  "show_id",
  "title",
  "duration",
  "groups"
 ],
 "$defs": {
  "Cue": {
   "type": "object",
   "description": "One timeline event of a group.",
   "properties": {
    "id": {
     "description": "the event id (PLAY[n]/CUE inside a played section)",
     "type": "string",
     "maxLength": 200
    },
    "kind": {
     "description": "say, sound, music, caption or end",
     "type": "string",
     "maxLength": 40
    },
    "start_ms": {
     "description": "when the event starts",
     "type": "integer",
     "minimum": 0,
     "maximum": 86400000
    },
    "end_ms": {
     "description": "when its audio ends",
     "type": "integer",
     "minimum": 0,
     "maximum": 86400000
    },
    "text": {
     "description": "the caption text",
     "anyOf": [
      {
       "type": "string"
      },
      {
       "type": "null"
      }
     ]
    },
    "vibrate": {
     "description": "vibration pattern (ms)",
     "anyOf": [
      {
       "type": "array",
       "items": {
        "type": "integer",
        "minimum": 0,
        "maximum": 60000
       },
       "maxItems": 100
      },
      {
       "type": "null"
      }
     ]
    },
    "line": {
     "description": "line in the score",
     "anyOf": [
      {
       "type": "integer",
       "minimum": 0,
       "maximum": 10000000
      },
      {
       "type": "null"
      }
     ]
    },
    "meeting": {
     "description": "a cue every group shares",
     "anyOf": [
      {
       "type": "boolean"
      },
      {
       "type": "null"
      }
     ]
    },
    "caption_end_ms": {
     "description": "the caption is on screen from start_ms until then (null: never shown; absent in manifests written before it existed)",
     "anyOf": [
      {
       "type": "integer",
       "minimum": 0,
       "maximum": 86400000
      },
      {
       "type": "null"
      }
     ]
    }
   },
   "required": [
    "id",
    "kind",
    "start_ms",
    "end_ms"
   ]
  },
  "Duration": {
   "type": "object",
   "description": "The show's length: ``samples`` at ``sample_rate`` (the rule: contract/duration.py), and in ms.",
   "properties": {
    "samples": {
     "description": "at sample_rate",
     "anyOf": [
      {
       "type": "integer",
       "minimum": 1,
       "maximum": 33177600000
      },
      {
       "type": "null"
      }
     ]
    },
    "ms": {
     "description": "rounded up from samples",
     "anyOf": [
      {
       "type": "integer",
       "minimum": 1,
       "maximum": 86400000
      },
      {
       "type": "null"
      }
     ]
    }
   },
   "required": []
  },
  "Encoding": {
   "type": "object",
   "description": "How the MP3s were encoded.",
   "properties": {
    "codec": {
     "description": "mp3",
     "anyOf": [
      {
       "type": "string"
      },
      {
       "type": "null"
      }
     ]
    },
    "bitrate_kbps": {
     "description": "constant bitrate",
     "anyOf": [
      {
       "type": "integer",
       "minimum": 8,
       "maximum": 640
      },
      {
       "type": "null"
      }
     ]
    },
    "channels": {
     "description": "1: mono",
     "anyOf": [
      {
       "type": "integer",
       "minimum": 1,
       "maximum": 8
      },
      {
       "type": "null"
      }
     ]
    },
    "quality": {
     "description": "LAME's quality (0 best - 9 fastest)",
     "anyOf": [
      {
       "type": "integer",
       "minimum": 0,
       "maximum": 9
      },
      {
       "type": "null"
      }
     ]
    }
   },
   "required": []
  },
  "Event": {
   "type": "object",
   "description": "Practical information from the score's event block (printed, shown on phones).",
   "properties": {
    "place": {
     "description": "where",
     "anyOf": [
      {
       "type": [
        "string",
        "number"
       ]
      },
      {
       "type": "null"
      }
     ]
    },
    "date": {
     "description": "YYYY-MM-DD",
     "anyOf": [
      {
       "type": [
        "string",
        "number"
       ]
      },
      {
       "type": "null"
      }
     ]
    },
    "time": {
     "description": "local wall-clock start, HH:MM",
     "anyOf": [
      {
       "type": [
        "string",
        "number"
       ]
      },
      {
       "type": "null"
      }
     ]
    },
    "timezone": {
     "description": "IANA name, e.g. Europe/Paris",
     "anyOf": [
      {
       "type": [
        "string",
        "number"
       ]
      },
      {
       "type": "null"
      }
     ]
    },
    "meeting_point": {
     "description": "where to meet",
     "anyOf": [
      {
       "type": [
        "string",
        "number"
       ]
      },
      {
       "type": "null"
      }
     ]
    },
    "safety": {
     "description": "a safety note",
     "anyOf": [
      {
       "type": [
        "string",
        "number"
       ]
      },
      {
       "type": "null"
      }
     ]
    },
    "bring": {
     "description": "what to bring",
     "anyOf": [
      {
       "type": [
        "string",
        "number"
       ]
      },
      {
       "type": "null"
      }
     ]
    },
    "starts": {
     "description": "an ISO 8601 date-time (hand-made bundles; the renderer writes date and time)",
     "anyOf": [
      {
       "type": [
        "string",
        "number"
       ]
      },
      {
       "type": "null"
      }
     ]
    }
   },
   "required": []
  },
  "Group": {
   "type": "object",
   "description": "One participant group: its audio, captions, cues.",
   "properties": {
    "id": {
     "description": "letters, digits, - and _",
     "type": "string",
     "pattern": "^[A-Za-z0-9_-]{1,64}$"
    },
    "name": {
     "description": "shown on phones and posters (default: the id)",
     "type": "string",
     "minLength": 1,
     "maxLength": 500
    },
    "colour": {
     "description": "the group colour",
     "type": "string",
     "pattern": "^#[0-9a-f]{6}$",
     "default": "#888888"
    },
    "share": {
     "description": "whole-number weight when phones are assigned a group",
     "type": "integer",
     "minimum": 0,
     "maximum": 1000000,
     "default": 1
    },
    "mp3": {
     "description": "the full file",
     "anyOf": [
      {
       "$ref": "#/$defs/Mp3"
      },
      {
       "type": "null"
      }
     ]
    },
    "segments": {
     "description": "web-playback segments, tiling the timeline",
     "type": "array",
     "items": {
      "$ref": "#/$defs/Segment"
     },
     "default": []
    },
    "captions": {
     "description": "WebVTT captions",
     "anyOf": [
      {
       "type": "string",
       "minLength": 1,
       "pattern": "^(?!/)(?!(.*/)?\\.\\.(/|$))[^\\\\\\u0000]+$"
      },
      {
       "type": "null"
      }
     ]
    },
    "cover": {
     "description": "PNG cover",
     "anyOf": [
      {
       "type": "string",
       "minLength": 1,
       "pattern": "^(?!/)(?!(.*/)?\\.\\.(/|$))[^\\\\\\u0000]+$"
      },
      {
       "type": "null"
      }
     ]
    },
    "loudness": {
     "description": "of the decoded MP3",
     "anyOf": [
      {
       "$ref": "#/$defs/Loudness"
      },
      {
       "type": "null"
      }
     ]
    },
    "cues": {
     "description": "every timeline event of the group, in time order",
     "type": "array",
     "items": {
      "$ref": "#/$defs/Cue"
     },
     "default": []
    },
    "silences": {
     "description": "stretches where nothing sounds",
     "type": "array",
     "items": {
      "$ref": "#/$defs/Silence"
     },
     "default": []
    },
    "symbol": {
     "description": "the shape shown with the name and colour when the group is revealed (contract/symbols.py)",
     "anyOf": [
      {
       "type": "string",
       "enum": [
        "circle",
        "square",
        "triangle",
        "diamond",
        "star",
        "cross",
        "heart",
        "hexagon"
       ]
      },
      {
       "type": "null"
      }
     ]
    }
   },
   "required": [
    "id"
   ]
  },
  "Loudness": {
   "type": "object",
   "description": "The group's MP3 as decoded: integrated loudness (LUFS) and true peak (dBTP).",
   "properties": {
    "integrated_lufs": {
     "description": "ITU-R BS.1770",
     "type": "number"
    },
    "true_peak_dbtp": {
     "description": "dB true peak",
     "type": "number"
    }
   },
   "required": [
    "integrated_lufs",
    "true_peak_dbtp"
   ]
  },
  "LoudnessTarget": {
   "type": "object",
   "description": "The loudness every group was normalised to.",
   "properties": {
    "target_lufs": {
     "description": "integrated loudness",
     "anyOf": [
      {
       "type": "number"
      },
      {
       "type": "null"
      }
     ]
    },
    "ceiling_dbtp": {
     "description": "true-peak ceiling",
     "anyOf": [
      {
       "type": "number"
      },
      {
       "type": "null"
      }
     ]
    }
   },
   "required": []
  },
  "Mp3": {
   "type": "object",
   "description": "A group's full MP3 (tagged, constant bitrate, gapless).",
   "properties": {
    "path": {
     "description": "relative to the bundle, with /",
     "type": "string",
     "minLength": 1,
     "pattern": "^(?!/)(?!(.*/)?\\.\\.(/|$))[^\\\\\\u0000]+$"
    },
    "bytes": {
     "description": "file size",
     "anyOf": [
      {
       "type": "integer",
       "minimum": 0,
       "maximum": 1099511627776
      },
      {
       "type": "null"
      }
     ]
    },
    "sha256": {
     "description": "of the file",
     "anyOf": [
      {
       "type": "string",
       "pattern": "^[0-9a-f]{64}$"
      },
      {
       "type": "null"
      }
     ]
    },
    "samples": {
     "description": "decoded length",
     "anyOf": [
      {
       "type": "integer",
       "minimum": 1,
       "maximum": 33177600000
      },
      {
       "type": "null"
      }
     ]
    },
    "duration_ms": {
     "description": "rounded up from samples",
     "anyOf": [
      {
       "type": "integer",
       "minimum": 0,
       "maximum": 86400000
      },
      {
       "type": "null"
      }
     ]
    }
   },
   "required": [
    "path"
   ]
  },
  "Organizer": {
   "type": "object",
   "description": "Who organizes the show (printed on posters).",
   "properties": {
    "name": {
     "description": "the organizer's name",
     "anyOf": [
      {
       "type": "string"
      },
      {
       "type": "null"
      }
     ]
    },
    "contact": {
     "description": "an e-mail address, phone or handle",
     "anyOf": [
      {
       "type": "string"
      },
      {
       "type": "null"
      }
     ]
    }
   },
   "required": []
  },
  "Segment": {
   "type": "object",
   "description": "A web-playback segment: ``samples`` of the timeline from ``first_sample``, decodable alone.",
   "properties": {
    "path": {
     "description": "relative to the bundle, with /",
     "type": "string",
     "minLength": 1,
     "pattern": "^(?!/)(?!(.*/)?\\.\\.(/|$))[^\\\\\\u0000]+$"
    },
    "first_sample": {
     "description": "the sum of the previous segments' samples",
     "type": "integer",
     "minimum": 0,
     "maximum": 33177600000
    },
    "samples": {
     "description": "decoded length",
     "type": "integer",
     "minimum": 1,
     "maximum": 33177600000
    },
    "bytes": {
     "description": "file size",
     "anyOf": [
      {
       "type": "integer",
       "minimum": 0,
       "maximum": 1099511627776
      },
      {
       "type": "null"
      }
     ]
    },
    "sha256": {
     "description": "of the file",
     "anyOf": [
      {
       "type": "string",
       "pattern": "^[0-9a-f]{64}$"
      },
      {
       "type": "null"
      }
     ]
    },
    "encoder_delay": {
     "description": "leading samples the decoder drops (LAME tag)",
     "anyOf": [
      {
       "type": "integer",
       "minimum": 0,
       "maximum": 1048576
      },
      {
       "type": "null"
      }
     ]
    },
    "padding": {
     "description": "trailing samples the decoder drops (LAME tag)",
     "anyOf": [
      {
       "type": "integer",
       "minimum": 0,
       "maximum": 1048576
      },
      {
       "type": "null"
      }
     ]
    }
   },
   "required": [
    "path",
    "first_sample",
    "samples"
   ]
  },
  "Settings": {
   "type": "object",
   "description": "How the bundle was rendered (part of the show id); hand-made bundles may leave any of it out.",
   "properties": {
    "encoding": {
     "description": "MP3 encoding",
     "anyOf": [
      {
       "$ref": "#/$defs/Encoding"
      },
      {
       "type": "null"
      }
     ]
    },
    "loudness": {
     "description": "normalisation",
     "anyOf": [
      {
       "$ref": "#/$defs/LoudnessTarget"
      },
      {
       "type": "null"
      }
     ]
    },
    "segment_seconds": {
     "description": "longest web-playback segment",
     "anyOf": [
      {
       "type": "number",
       "minimum": 0
      },
      {
       "type": "null"
      }
     ]
    },
    "engines": {
     "description": "speech and decoding engines: name -> version",
     "anyOf": [
      {
       "type": "object"
      },
      {
       "type": "null"
      }
     ]
    },
    "flashmob": {
     "description": "the renderer's version",
     "anyOf": [
      {
       "type": "string"
      },
      {
       "type": "null"
      }
     ]
    }
   },
   "required": []
  },
  "Silence": {
   "type": "object",
   "description": "A stretch where nothing sounds: a player may re-anchor its clock there.",
   "properties": {
    "start_ms": {
     "description": "start",
     "type": "integer",
     "minimum": 0,
     "maximum": 86400000
    },
    "end_ms": {
     "description": "end",
     "type": "integer",
     "minimum": 0,
     "maximum": 86400000
    }
   },
   "required": [
    "start_ms",
    "end_ms"
   ]
  },
  "Surprise": {
   "type": "object",
   "description": "The groups are a surprise (docs/bundle-format.md, \"Surprise groups\"): until ``reveal_ms`` (a position in the show; ``null``: never) a phone is not told its group. The bundle's manifest is then for organizers only: the conductor gives each phone a view of its own group under an opaque alias (contract/surprise.py) and sends the group at the reveal.",
   "properties": {
    "reveal_ms": {
     "description": "show position of the reveal (null: never revealed)",
     "anyOf": [
      {
       "type": "integer",
       "minimum": 0,
       "maximum": 86400000
      },
      {
       "type": "null"
      }
     ]
    }
   },
   "required": []
  }
 }
};
