/**
 * Surprise groups on the phone (docs/protocol.md, "Surprise groups").
 *
 * A surprise show's manifest (the conductor's per-participant view) names the
 * phone's group "mine", in the neutral colour: until the reveal the page shows
 * no group name and no group colour (`shown()` returns the neutral form). The
 * conductor sends a `reveal` frame at the reveal time (and after the welcome
 * of a phone that joins later): `reveal()` keeps it (a reload shows it again),
 * vibrates, and shows the group by its name, its colour AND its symbol (never
 * the colour alone: colour-blind participants) in a full-screen card the
 * person dismisses. `symbolSvg(name, fill, stroke)` draws the symbols of
 * contract/symbols.py (an unknown name is drawn as a circle).
 */
import { h, svg } from './dom.js';

const KEY = 'revealed';
export const REVEAL_VIBRATION = [300, 120, 300, 120, 700];

/** The shapes, in a 100 x 100 box: [element, attributes]. */
const SHAPES = {
  circle: ['circle', { cx: 50, cy: 50, r: 42 }],
  square: ['rect', { x: 10, y: 10, width: 80, height: 80 }],
  triangle: ['polygon', { points: '50,6 95,90 5,90' }],
  diamond: ['polygon', { points: '50,4 96,50 50,96 4,50' }],
  star: ['polygon', { points: '50,4 61,38 96,38 68,59 79,93 50,72 21,93 32,59 4,38 39,38' }],
  cross: ['polygon', { points: '36,6 64,6 64,36 94,36 94,64 64,64 64,94 36,94 36,64 6,64 6,36 36,36' }],
  heart: ['path', { d: 'M50,90 C20,68 4,52 4,32 C4,16 16,6 29,6 C39,6 46,12 50,20 C54,12 61,6 71,6 C84,6 96,16 96,32 C96,52 80,68 50,90 Z' }],
  hexagon: ['polygon', { points: '27,8 73,8 96,50 73,92 27,92 4,50' }],
};

/** An <svg> of the symbol `name` filled with `fill`, outlined with `stroke`. */
export function symbolSvg(name, fill, stroke, size = 120) {
  const [tag, attrs] = SHAPES[name] || SHAPES.circle;
  return svg('svg', { viewBox: '0 0 100 100', width: size, height: size, role: 'img', 'aria-label': name,
    class: 'group-symbol', 'data-symbol': SHAPES[name] ? name : 'circle' },
  svg(tag, { ...attrs, fill, stroke, 'stroke-width': 5, 'stroke-linejoin': 'round' }));
}

/** Black or white, whichever reads better on `hex` (the page's groupPalette rule, kept local). */
function inkOn(hex) {
  const n = parseInt(String(hex).slice(1), 16);
  const lin = (v) => { const c = v / 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const lum = 0.2126 * lin((n >> 16) & 255) + 0.7152 * lin((n >> 8) & 255) + 0.0722 * lin(n & 255);
  return lum > 0.35 ? '#111111' : '#ffffff';
}

export class Surprise {
  /** @param keeper storage.js's Keeper; @param doc the page's document */
  constructor(keeper, doc = globalThis.document) {
    this.keeper = keeper;
    this.doc = doc;
    this.card = null;
  }

  get revealed() { return this.keeper.get(KEY); }

  /**
   * The group as the page may show it: `{name, colour, symbol}`, or null when
   * the page shows no group name nor colour (a surprise not revealed yet).
   * `group` is the manifest's group of this phone.
   */
  shown(manifest, group) {
    if (!manifest?.surprise) return group ? { name: group.name, colour: group.colour, symbol: group.symbol } : null;
    return this.revealed || null;
  }

  /**
   * The `reveal` frame's group arrived: keep it, vibrate and show the card the
   * first time (a reconnection's welcome repeats the frame: nothing happens again).
   */
  reveal(group, t) {
    if (JSON.stringify(this.revealed) === JSON.stringify(group)) return;
    this.keeper.set({ [KEY]: group });
    if (globalThis.navigator?.vibrate) navigator.vibrate(REVEAL_VIBRATION);
    this.showCard(group, t);
  }

  /**
   * Fill a `.group-name` element: the name (after a reveal, with its symbol in
   * front), or the "surprise" word. Touches the DOM only when it changes.
   */
  label(el, shown, t) {
    const key = shown ? `${shown.name}\u0000${shown.symbol || ''}` : '\u0000surprise';
    if (el.dataset.label === key) return;
    el.dataset.label = key;
    if (!shown) el.replaceChildren(t('surprise_group'));
    else if (!shown.symbol) el.replaceChildren(shown.name);
    else el.replaceChildren(symbolSvg(shown.symbol, shown.colour, 'currentColor', 28), shown.name);
  }

  showCard(group, t) {
    this.card?.remove();
    const ink = inkOn(group.colour);
    const ok = h('button', { className: 'big-button', id: 'reveal-ok' }, t('ok'));
    this.card = h('div', { id: 'reveal', className: 'reveal', role: 'alertdialog',
      style: { background: group.colour, color: ink } },
    h('p', { className: 'eyebrow' }, t('reveal_title')),
    symbolSvg(group.symbol, group.colour, ink, 160),
    h('h1', { className: 'huge reveal-name' }, group.name),
    h('p', { className: 'lead' }, t('reveal_symbol', { symbol: t(`symbol_${group.symbol}`) })),
    ok);
    ok.addEventListener('click', () => { this.card?.remove(); this.card = null; });
    this.doc.body.append(this.card);
  }
}
