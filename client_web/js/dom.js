/**
 * Building DOM from data without ever parsing data as HTML.
 *
 * `h(tag, props, ...children)` creates an element; `props` are set as element
 * properties (`className`, `title`, `hidden`, …) — never as markup — and each
 * child is a Node or a value shown as text (a text node). `replaceChildren`
 * is the only way views in client_web/ update a list. No `innerHTML`,
 * `insertAdjacentHTML` or `outerHTML` anywhere in client_web/ (a test greps).
 */

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null) continue;
    if (k === 'style') Object.assign(el.style, v); // CSSOM: allowed by the CSP, parses one property at a time
    else el[k] = v;
  }
  el.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false)
    .map((c) => (c instanceof Node ? c : document.createTextNode(String(c)))));
  return el;
}

/** An SVG element (namespaced) with attributes set one by one. */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}
