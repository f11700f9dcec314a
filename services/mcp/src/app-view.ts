import { REPORT_CSP } from './render/report-csp.js';

/** The MCP Apps view that shows `get_report`'s HTML inline in hosts that render MCP Apps. */
export const REPORT_VIEW_URI = 'ui://pytest-platform/report.html';

/**
 * A minimal MCP Apps view: it performs the `ui/initialize` handshake with the host over
 * `postMessage` (JSON-RPC 2.0) and, on `ui/notifications/tool-result`, shows the report HTML from
 * the tool result's text content.
 *
 * It listens to its host window only (`event.source === window.parent`, and once the host answered
 * `ui/initialize`, that answer's origin), so another frame cannot hand it a report. What it shows
 * stays inert three times over: every `script`, frame, `on*` attribute and `javascript:`/`data:`
 * URL is removed, the report keeps its Content-Security-Policy (no script source at all), and it
 * is shown in an iframe sandboxed without `allow-scripts`. An error result is shown as text.
 */
export const reportViewHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>pytest-platform report</title>
<style>body{margin:0;font:14px system-ui,sans-serif}#status{padding:16px;color:#59636e;white-space:pre-wrap}#report{display:block;width:100%;height:0;border:0}</style>
</head>
<body>
<p id="status">Waiting for the report…</p>
<iframe id="report" title="Test report" sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"></iframe>
<script>
(() => {
  const PROTOCOL_VERSION = '2026-01-26';
  const CSP = "${REPORT_CSP}";
  const host = window.parent;
  let hostOrigin = null;
  let nextId = 1;
  const pending = new Map();
  const status = document.getElementById('status');
  const frame = document.getElementById('report');
  const send = (message) => host.postMessage({ jsonrpc: '2.0', ...message }, hostOrigin && hostOrigin !== 'null' ? hostOrigin : '*');
  const request = (method, params) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    send({ id, method, params });
  });
  const fromHost = (event) => host !== window && event.source === host && (hostOrigin === null || event.origin === hostOrigin);

  const DROPPED = 'script, iframe, frame, frameset, object, embed, applet, portal, base, link, meta, form, noscript, template';
  const URL_ATTRIBUTES = /^(href|src|xlink:href|action|formaction|data|poster|background|cite|srcset|ping|lowsrc)$/;
  const inert = (html) => {
    const doc = new DOMParser().parseFromString(html, 'text/html');
    doc.querySelectorAll(DROPPED).forEach((element) => element.remove());
    for (const element of doc.querySelectorAll('*')) {
      for (const { name, value } of Array.from(element.attributes)) {
        const key = name.toLowerCase();
        const url = value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
        const scripted = key.startsWith('on') || key === 'srcdoc' || key === 'formaction';
        const badUrl = URL_ATTRIBUTES.test(key) && /^(javascript|vbscript|data|blob|file):/.test(url) && !(key === 'src' && /^data:image\\/(png|gif|jpeg|webp);/.test(url));
        if (scripted || badUrl) element.removeAttribute(name);
      }
      if (element.localName === 'a' && /^https?:/i.test(element.getAttribute('href') || '')) {
        element.setAttribute('target', '_blank');
        element.setAttribute('rel', 'noopener noreferrer');
      }
    }
    const policy = doc.createElement('meta');
    policy.setAttribute('http-equiv', 'Content-Security-Policy');
    policy.setAttribute('content', CSP);
    const charset = doc.createElement('meta');
    charset.setAttribute('charset', 'utf-8');
    doc.head.prepend(charset, policy);
    return '<!doctype html>' + doc.documentElement.outerHTML;
  };
  const resize = () => {
    const doc = frame.contentDocument;
    const height = doc && doc.documentElement ? doc.documentElement.scrollHeight : Math.round(window.innerHeight * 0.9);
    frame.style.height = height + 'px';
    send({ method: 'ui/notifications/size-changed', params: { height: document.documentElement.scrollHeight } });
  };
  frame.addEventListener('load', () => {
    resize();
    const doc = frame.contentDocument;
    if (doc && doc.documentElement && typeof ResizeObserver === 'function') new ResizeObserver(resize).observe(doc.documentElement);
  });
  const show = (result) => {
    if (!result || typeof result !== 'object') return;
    const content = Array.isArray(result.content) ? result.content : [];
    const text = content.find((c) => c && c.type === 'text' && typeof c.text === 'string' && /^\\s*<!doctype html/i.test(c.text));
    if (result.isError || !text) {
      status.textContent = content.map((c) => (c && typeof c.text === 'string' ? c.text : '')).join('\\n') || 'The tool returned no report.';
      status.hidden = false;
      frame.removeAttribute('srcdoc');
      frame.style.height = '0';
      return;
    }
    status.hidden = true;
    frame.srcdoc = inert(text.text);
  };
  window.addEventListener('message', (event) => {
    if (!fromHost(event)) return;
    const msg = event.data;
    if (!msg || typeof msg !== 'object' || msg.jsonrpc !== '2.0') return;
    if (msg.id !== undefined && pending.has(msg.id) && !msg.method) {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (hostOrigin === null) hostOrigin = event.origin;
      if (msg.error) p.reject(msg.error); else p.resolve(msg.result);
      return;
    }
    if (msg.method === 'ui/notifications/tool-result') show(msg.params);
    else if (msg.method === 'ui/resource-teardown' && msg.id !== undefined) send({ id: msg.id, result: {} });
    else if (msg.id !== undefined && msg.method) send({ id: msg.id, error: { code: -32601, message: 'Method not found' } });
  });
  request('ui/initialize', {
    appInfo: { name: 'pytest-platform-report', version: '0.1.0' },
    appCapabilities: {},
    protocolVersion: PROTOCOL_VERSION,
  }).then(() => send({ method: 'ui/notifications/initialized', params: {} }))
    .catch((error) => { status.textContent = 'Host refused the view: ' + (error && error.message); });
})();
</script>
</body>
</html>
`;
