/**
 * The development mail catcher's pages: a list of the caught messages and one page per message.
 * Plain, accessible HTML (landmarks, a captioned table, visible focus, text that reflows); a mail's
 * own HTML is shown only inside a sandboxed frame, since it is whatever the sender wrote.
 */
import { escapeHtml } from './html.js';
import type { CaughtMail } from './mail-catcher.js';

const style = `
  body { font: 1rem/1.5 system-ui, sans-serif; margin: 0; padding: 1rem; max-inline-size: 72rem; color: #1a1a1a; }
  table { border-collapse: collapse; inline-size: 100%; }
  caption { text-align: start; font-weight: 600; padding-block: .5rem; }
  th, td { text-align: start; padding: .5rem; border-block-end: 1px solid #767676; vertical-align: top; }
  a { color: #0b57d0; } a:focus-visible { outline: 3px solid #0b57d0; outline-offset: 2px; }
  pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f4f4f4; padding: 1rem; }
  iframe { inline-size: 100%; block-size: 32rem; border: 1px solid #767676; }`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${style}</style></head>
<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

export function listPage(messages: readonly CaughtMail[]): string {
  if (messages.length === 0) {
    return page('Mail catcher', '<p>No mail yet. <a href="/">Refresh</a></p>');
  }
  const rows = messages
    .map(
      (m) => `<tr><td><time datetime="${m.receivedAt}">${m.receivedAt}</time></td>
<td>${escapeHtml(m.to.join(', '))}</td>
<td><a href="/messages/${m.id}/view">${escapeHtml(m.subject || '(no subject)')}</a></td></tr>`,
    )
    .join('\n');
  return page(
    'Mail catcher',
    `<p>Mail the platform sent, newest first (the last 200 are kept). <a href="/">Refresh</a> ·
<a href="/messages">JSON</a></p>
<table><caption>${messages.length} message${messages.length === 1 ? '' : 's'}</caption>
<thead><tr><th scope="col">Received</th><th scope="col">To</th><th scope="col">Subject</th></tr></thead>
<tbody>${rows}</tbody></table>`,
  );
}

export function messagePage(message: CaughtMail): string {
  const html = message.html
    ? `<h2>As HTML</h2><iframe title="The message as HTML" sandbox srcdoc="${escapeHtml(message.html)}"></iframe>`
    : '';
  return page(
    message.subject || '(no subject)',
    `<p><a href="/">All messages</a></p>
<dl><dt>From</dt><dd>${escapeHtml(message.from)}</dd><dt>To</dt><dd>${escapeHtml(message.to.join(', '))}</dd>
<dt>Received</dt><dd><time datetime="${message.receivedAt}">${message.receivedAt}</time></dd></dl>
<h2>As text</h2><pre>${escapeHtml(message.text)}</pre>${html}`,
  );
}
