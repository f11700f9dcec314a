/** The MCP Apps view that shows `get_report`'s HTML inline in hosts that render MCP Apps. */
export const REPORT_VIEW_URI = 'ui://pytest-platform/report.html';

/**
 * A minimal MCP Apps view: it performs the `ui/initialize` handshake with the host over
 * `postMessage` (JSON-RPC 2.0) and, on `ui/notifications/tool-result`, shows the report HTML
 * from the tool result's text content. The report itself has no scripts; parsing it with
 * DOMParser and moving its nodes in executes nothing.
 */
export const reportViewHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>pytest-platform report</title>
<style>body{margin:0;font:14px system-ui,sans-serif}#status{padding:16px;color:#59636e}</style>
</head>
<body>
<p id="status">Waiting for the report…</p>
<script>
(() => {
  const PROTOCOL_VERSION = '2026-01-26';
  let nextId = 1;
  const pending = new Map();
  const send = (message) => window.parent.postMessage({ jsonrpc: '2.0', ...message }, '*');
  const request = (method, params) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    send({ id, method, params });
  });
  const show = (result) => {
    if (!result) return;
    const text = (result.content || []).find((c) => c && c.type === 'text' && /^\\s*<!doctype html/i.test(c.text));
    if (result.isError || !text) {
      const message = (result.content || []).map((c) => c.text || '').join('\\n');
      document.getElementById('status').textContent = message || 'The tool returned no report.';
      return;
    }
    const doc = new DOMParser().parseFromString(text.text, 'text/html');
    doc.querySelectorAll('script').forEach((s) => s.remove());
    document.head.querySelectorAll('style').forEach((s) => s.remove());
    doc.head.querySelectorAll('style').forEach((s) => document.head.appendChild(document.adoptNode(s)));
    document.body.replaceChildren(...Array.from(doc.body.childNodes).map((n) => document.adoptNode(n)));
    send({ method: 'ui/notifications/size-changed', params: { height: document.documentElement.scrollHeight } });
  };
  window.addEventListener('message', (event) => {
    const msg = event.data;
    if (!msg || msg.jsonrpc !== '2.0') return;
    if (msg.id !== undefined && pending.has(msg.id) && !msg.method) {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
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
    .catch((error) => { document.getElementById('status').textContent = 'Host refused the view: ' + (error && error.message); });
})();
</script>
</body>
</html>
`;
