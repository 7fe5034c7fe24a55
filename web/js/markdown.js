// Markdown rendered by the server (cmark in safe mode: `description_html`),
// shown without trusting it: the HTML is parsed in an inert document
// (DOMParser runs no script and loads no image) and rebuilt element by element
// from an allow-list, text copied with textContent and no attribute copied
// but a link's href (http, https or mailto only). Anything else becomes its
// text; script, style and the like are dropped. No innerHTML.
import {h} from './dom.js';

const KEEP = new Set(['p', 'br', 'em', 'strong', 'a', 'code', 'pre', 'ul', 'ol', 'li', 'blockquote',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td']);
const DROP = new Set(['script', 'style', 'template', 'noscript', 'iframe', 'object', 'embed', 'head', 'title']);
const SCHEMES = new Set(['http:', 'https:', 'mailto:']);

// An absolute http(s)/mailto URL as written, else null (relative, javascript:, data:, ...).
export function safeHref(v) {
  if (typeof v !== 'string' || !v.trim()) return null;
  let u;
  try { u = new URL(v.trim()); } catch { return null; }
  return SCHEMES.has(u.protocol) ? u.href : null;
}

function rebuild(src, out, depth) {
  for (const n of src.childNodes) {
    if (n.nodeType === Node.TEXT_NODE) { out.appendChild(document.createTextNode(n.textContent)); continue; }
    if (n.nodeType !== Node.ELEMENT_NODE) continue; // comments (cmark's "raw HTML omitted"), ...
    const tag = n.localName;
    if (DROP.has(tag) || n.namespaceURI !== 'http://www.w3.org/1999/xhtml') {
      if (!DROP.has(tag) && n.textContent) out.appendChild(document.createTextNode(n.textContent));
      continue;
    }
    if (!KEEP.has(tag) || depth > 40) { if (n.textContent) out.appendChild(document.createTextNode(n.textContent)); continue; }
    let el;
    if (tag === 'a') {
      const href = safeHref(n.getAttribute('href'));
      el = href ? h('a', {href, rel: 'noopener noreferrer', target: '_blank'}) : h('span', {class: 'md-nolink'});
    } else {
      el = h(tag);
    }
    if (tag === 'ol' && /^\d{1,9}$/.test(n.getAttribute('start') || '')) el.setAttribute('start', n.getAttribute('start'));
    rebuild(n, el, depth + 1);
    out.appendChild(el);
  }
  return out;
}

// A <div class="md"> holding the allowed part of `html`; `fallback` (the
// Markdown source) shown as plain text when there is no HTML.
export function markdownBlock(html, fallback, attrs = {}) {
  if (typeof html !== 'string' || !html.trim()) return h('div', {...attrs, class: ['body', attrs.class]}, fallback || '');
  const doc = new DOMParser().parseFromString(html, 'text/html');
  return rebuild(doc.body, h('div', {...attrs, class: ['md', attrs.class]}), 0);
}
