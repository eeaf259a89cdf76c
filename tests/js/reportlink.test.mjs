/** client_web/js/reportlink.js: the console's report button (shown once ended; the token as a bearer header). */
import test from 'node:test';
import assert from 'node:assert/strict';
import { ReportLink, REPORT_PATH, reportReady } from '../../client_web/js/reportlink.js';

class El {
  constructor() { this.hidden = true; this.disabled = false; this.textContent = ''; this.listeners = {}; }
  addEventListener(kind, fn) { this.listeners[kind] = fn; }
  replaceChildren(...kids) { this.textContent = kids.map((k) => (typeof k === 'string' ? k : k.textContent)).join(''); }
}

test('reportReady: only a show that ended or was aborted', () => {
  assert.deepEqual(['lobby', 'armed', 'running', 'ended', 'aborted'].map(reportReady), [false, false, false, true, true]);
});

test('the button shows once ended, and a refusal is shown with the server\'s reason', async () => {
  const button = new El();
  const status = new El();
  const calls = [];
  const fetchFn = async (url, init) => {
    calls.push([url, init]);
    return { ok: false, status: 409, json: async () => ({ error: 'the report is ready once the show ended' }) };
  };
  const link = new ReportLink({ button, status, token: 'secret-token-xyz', fetchFn });
  link.update('running');
  assert.equal(button.hidden, true);
  link.update('ended');
  assert.equal(button.hidden, false);
  await link.download();
  assert.equal(calls[0][0], REPORT_PATH);
  assert.equal(calls[0][1].headers.Authorization, 'Bearer secret-token-xyz');
  assert.ok(!calls[0][0].includes('secret'), 'the token never goes into a URL');
  assert.equal(status.textContent, '✗ the report is ready once the show ended');
  assert.equal(button.disabled, false);
});
