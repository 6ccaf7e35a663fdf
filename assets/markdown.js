// Model answers as markdown, made safe: marked renders, DOMPurify sanitizes into a DocumentFragment
// (no HTML string is ever assigned to the page). Images and embedded content are dropped, so an
// answer can never make the browser fetch anything; links open in a new tab without a referrer.
//
// Raw HTML in an answer (and an image's markdown) is shown as text, escaped by marked's renderer:
// the model writes markdown, and an `onerror=` attribute never reaches even the inert document
// DOMPurify parses in (Chromium reports a CSP violation for an inline handler parsed there, though
// it never runs).
//
// Trusted Types: the one HTML sink of the app is DOMPurify's parse of the rendered markdown into an
// inert document. Where the browser has Trusted Types, that string goes through the policy named
// "markdown", the only policy the page's CSP allows (`trusted-types markdown`).
import { Marked } from "../vendor/marked/marked.esm.js";
import DOMPurify from "../vendor/dompurify/purify.es.mjs";

const ALLOWED_TAGS = ["p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li",
  "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td", "a"];
const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

const markdown = new Marked({
  async: false,
  gfm: true,
  breaks: true,
  renderer: {
    html: ({ text }) => escapeHtml(text),
    image: ({ text }) => escapeHtml(text),
  },
});

// Its input goes only to DOMPurify's inert parser, whose output is sanitized node by node.
const policy = globalThis.trustedTypes?.createPolicy("markdown", {
  createHTML: (html) => html,
  createScriptURL: () => {
    throw new TypeError("markdown never loads scripts");
  },
});

export function renderMarkdown(text) {
  const html = markdown.parse(text);
  const fragment = DOMPurify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR: ["href", "title", "start", "align"],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
    RETURN_DOM_FRAGMENT: true,
    ...(policy ? { TRUSTED_TYPES_POLICY: policy } : {}),
  });
  for (const link of fragment.querySelectorAll("a")) {
    link.target = "_blank";
    link.rel = "noopener noreferrer nofollow";
  }
  return fragment;
}
