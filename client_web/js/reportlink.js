/**
 * The console's "Download the report" button (docs/report.md): shown once the
 * show's record says ended or aborted; a click fetches `GET /api/report` with
 * the console token as a bearer token (never in a URL) and saves the
 * self-contained HTML page the conductor renders from its show log.
 * `state` is the record's state (the server makes the report from its record,
 * not from the console's clock).
 */
export const REPORT_PATH = '/api/report';

export function reportReady(state) {
  return state === 'ended' || state === 'aborted';
}

export class ReportLink {
  /** `button`, `status`: elements; `token`: the console token; `fetchFn`: fetch (injected in tests). */
  constructor({ button, status, token, fetchFn = (...a) => fetch(...a) }) {
    Object.assign(this, { button, status, token, fetchFn });
    button.addEventListener('click', () => this.download());
  }

  update(state) {
    this.button.hidden = !reportReady(state);
  }

  async download() {
    this.status.textContent = 'Making the report…';
    this.button.disabled = true;
    try {
      const r = await this.fetchFn(REPORT_PATH, { headers: { Authorization: `Bearer ${this.token}` }, cache: 'no-store' });
      if (!r.ok) {
        let why = `HTTP ${r.status}`;
        try { why = (await r.json()).error || why; } catch { /* not JSON */ }
        this.status.textContent = `✗ ${why}`;
        return;
      }
      const name = (/filename="([^"]+)"/.exec(r.headers.get('Content-Disposition') || '') || [])[1] || 'report.html';
      const url = URL.createObjectURL(await r.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      a.id = 'report-file';
      a.textContent = name;
      this.status.replaceChildren('✓ ', a);
      a.click();
    } catch (e) {
      this.status.textContent = `✗ ${e.message || e}`;
    } finally {
      this.button.disabled = false;
    }
  }
}
