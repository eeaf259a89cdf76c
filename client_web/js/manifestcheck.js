/**
 * Check a show bundle's manifest against its JSON Schema before the page uses it.
 *
 * The schema (manifestschema.js) is generated from the Python records that
 * define the format (contract/manifest.py): the page reads the manifest with
 * the same rules the conductor loaded it with. `checkManifest(m)` returns a
 * list of problems, each naming the field path ("groups[0].colour: ...");
 * empty means usable. `validate` is the small JSON Schema subset the
 * generated schema uses: $ref (to #/$defs), anyOf, const, enum, type,
 * properties, required, items, minItems, maxItems, minimum, maximum,
 * minLength, maxLength (in code points, as JSON Schema counts), pattern.
 * Unknown keys are allowed (readers ignore what they do not know).
 */
import { MANIFEST_SCHEMA } from './manifestschema.js';

const MAX_PROBLEMS = 20;

function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v; // string, boolean, object
}

function hasType(v, t) {
  const actual = typeOf(v);
  return actual === t || (t === 'number' && actual === 'integer');
}

function join(path, key) {
  return typeof key === 'number' ? `${path}[${key}]` : (path ? `${path}.${key}` : key);
}

const patterns = new Map();
function regex(p) {
  if (!patterns.has(p)) patterns.set(p, new RegExp(p, 'u'));
  return patterns.get(p);
}

/** Problems of `value` against `schema` (resolving $ref in `root`), appended to `out`. */
export function validate(schema, value, root = schema, path = '', out = []) {
  if (out.length >= MAX_PROBLEMS) return out;
  const at = path || 'manifest';
  if (schema.$ref) {
    const name = schema.$ref.replace(/^#\/\$defs\//, '');
    return validate(root.$defs[name], value, root, path, out);
  }
  if (schema.anyOf) {
    const tries = schema.anyOf.map((s) => validate(s, value, root, path, []));
    const ok = tries.find((p) => p.length === 0);
    if (!ok) out.push(...(tries.find((p) => !p[0].endsWith('has the wrong type')) || tries[0]).slice(0, 1));
    return out;
  }
  if ('const' in schema && value !== schema.const) out.push(`${at}: must be ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value)) out.push(`${at}: must be one of ${schema.enum.join(', ')}`);
  if (schema.type) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => hasType(value, t))) {
      out.push(`${at}: ${typeOf(value)} has the wrong type`);
      return out;
    }
  }
  const t = typeOf(value);
  if (t === 'integer' || t === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) out.push(`${at}: must be at least ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) out.push(`${at}: must be at most ${schema.maximum}`);
  } else if (t === 'string') {
    const n = [...value].length;
    const { minLength: lo, maxLength: hi } = schema;
    if (lo !== undefined && n < lo) out.push(`${at}: at least ${lo} characters`);
    if (hi !== undefined && n > hi) out.push(`${at}: at most ${hi} characters`);
    if (schema.pattern && !regex(schema.pattern).test(value)) out.push(`${at}: must match ${schema.pattern}`);
  } else if (t === 'array') {
    const { minItems: lo, maxItems: hi } = schema;
    if (lo !== undefined && value.length < lo) out.push(`${at}: at least ${lo} items`);
    if (hi !== undefined && value.length > hi) out.push(`${at}: at most ${hi} items`);
    if (schema.items) value.forEach((v, i) => validate(schema.items, v, root, join(path, i), out));
  } else if (t === 'object') {
    for (const key of schema.required || []) if (!(key in value)) out.push(`${join(path, key)}: is missing`);
    for (const [key, sub] of Object.entries(schema.properties || {})) {
      if (key in value) validate(sub, value[key], root, join(path, key), out);
    }
  }
  return out;
}

/** Problems of a manifest (an empty list: the page may use it). */
export function checkManifest(manifest) {
  return validate(MANIFEST_SCHEMA, manifest).slice(0, MAX_PROBLEMS);
}
