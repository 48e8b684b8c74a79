// fundwatch web page: browses the query API it is served by (relative URLs, same origin).
// No framework and no build step. Every piece of data reaches the page through textContent or
// attributes, never through HTML parsing, so a hostile headline stays text.

const FILTERS = ['topic', 'since', 'until', 'lang', 'source', 'q'];
const PAGE_SIZE = 20;
const CHART_PAGE_SIZE = 200;
const CHART_MAX_PAGES = 10;
const CHART_DEFAULT_DAYS = 30;
const CHART_MAX_DAYS = 366;
const DAY_MS = 86_400_000;
const DETAIL_CONCURRENCY = 3;
const SVG_NS = 'http://www.w3.org/2000/svg';

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const form = /** @type {HTMLFormElement} */ ($('filters'));
const list = $('updates');
const moreButton = /** @type {HTMLButtonElement} */ ($('more'));
const statusLine = $('status');
const errorLine = $('error');

const state = {
  /** @type {Record<string, string>} */
  filters: {},
  /** @type {string | null} */
  cursor: null,
  seen: new Set(),
  shown: 0,
  /** @type {AbortController | null} */
  controller: null,
  /** @type {{ id: string, title: string }[]} */
  topics: [],
  langs: new Set(),
  /** The item of the labelling panel (`?feedback=<id>`, the alert emails' link) while it is open. @type {string | null} */
  feedbackId: null,
};

// ---------------------------------------------------------------------------------------------
// DOM helpers

/**
 * @param {string} tag
 * @param {Record<string, string | number | boolean | undefined | null>} [attrs]
 * @param {(Node | string | null | undefined | false)[]} children
 */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  for (const child of children) if (child || child === '') node.append(child);
  return node;
}

/** @param {string} tag @param {Record<string, string | number | undefined | null>} [attrs] */
function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  return node;
}

/** @param {Element} node @param {Record<string, unknown>} attrs */
function setAttrs(node, attrs) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') node.textContent = String(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
}

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });

/** @param {string | null | undefined} iso @param {string} [fallback] */
function timeNode(iso, fallback = '—') {
  const ms = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(ms)) return el('span', { class: 'muted', text: fallback });
  return el('time', { datetime: new Date(ms).toISOString(), title: new Date(ms).toISOString(), text: timeFormat.format(ms) });
}

const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });
const RELATIVE_UNITS = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "5 min. ago", "in 2 hr.": for feed health, where how long ago matters more than the clock. */
function relativeTimeNode(iso, fallback = '—') {
  const ms = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(ms)) return el('span', { class: 'muted', text: fallback });
  const delta = ms - Date.now();
  const [unit, size] = RELATIVE_UNITS.find(([, size]) => Math.abs(delta) >= size) ?? ['minute', 60_000];
  const exact = new Date(ms).toISOString();
  return el('time', { datetime: exact, title: `${timeFormat.format(ms)} (${exact})`, text: relativeFormat.format(Math.round(delta / size), unit) });
}

/** Only http(s) links become clickable: a stored `javascript:` link stays text. */
function safeHref(url) {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

function topicIndex(id) {
  const i = state.topics.findIndex((t) => t.id === id);
  return i < 0 ? state.topics.length : i;
}

function topicTitle(id) {
  return state.topics.find((t) => t.id === id)?.title ?? id;
}

// ---------------------------------------------------------------------------------------------
// The API

class ApiError extends Error {
  /** @param {number} status @param {any} body */
  constructor(status, body) {
    const detail = body && typeof body === 'object' ? body : {};
    super(detail.parameter ? `${detail.parameter}: ${detail.message}` : detail.message || `the API answered ${status}`);
    this.status = status;
    this.parameter = typeof detail.parameter === 'string' ? detail.parameter : null;
    /** fundwatch's own error code (`forbidden`, `not_found`, …); API Gateway's refusals carry none. */
    this.code = typeof detail.error === 'string' ? detail.error : null;
  }
}

/** @param {string} path relative to the page @param {Record<string, string | number | undefined>} [params] @param {AbortSignal} [signal] */
async function getJson(path, params = {}, signal) {
  const url = new URL(path, document.baseURI);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
  }
  const response = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin', signal });
  return answerOf(response);
}

/** @param {string} path relative to the page @param {unknown} body sent as JSON @param {AbortSignal} [signal] */
async function postJson(path, body, signal) {
  const url = new URL(path, document.baseURI);
  const response = await fetch(url, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    credentials: 'same-origin',
    body: JSON.stringify(body),
    signal,
  });
  return answerOf(response);
}

/** The JSON body of an answer, or an ApiError for any status that is not 2xx. @param {Response} response */
async function answerOf(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // A non-JSON answer (a proxy's error page) is reported by status below.
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

const isAbort = (err) => err instanceof DOMException && err.name === 'AbortError';

function describeError(err) {
  if (err instanceof ApiError) {
    // fundwatch itself refuses a cross-site write or a foreign host name and says why; a bare 403 is API Gateway's missing signature.
    if (err.status === 403 && err.code === 'forbidden') return `The request was refused: ${err.message}`;
    if (err.status === 403) return 'The API refused the request (403): on AWS, open the page through `fundwatch serve --aws`.';
    if (err.status === 429) return 'The API is busy (429); try again in a moment.';
    return `The API could not answer: ${err.message}`;
  }
  return `Could not reach the API: ${err instanceof Error ? err.message : String(err)}`;
}

// ---------------------------------------------------------------------------------------------
// Filters <-> URL <-> form

/** @param {URLSearchParams} params */
function filtersFrom(params) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const name of FILTERS) {
    const value = params.get(name)?.trim();
    if (value) out[name] = value;
  }
  return out;
}

function filtersFromForm() {
  const data = new FormData(form);
  /** @type {Record<string, string>} */
  const out = {};
  for (const name of FILTERS) {
    let value = String(data.get(name) ?? '').trim();
    // A date-time from a shared link shows as its date; unchanged, it keeps its time.
    const current = state.filters[name];
    if ((name === 'since' || name === 'until') && current && current.slice(0, 10) === value) value = current;
    if (value) out[name] = value;
  }
  return out;
}

function queryString(filters, extra = {}) {
  const params = new URLSearchParams();
  for (const name of FILTERS) if (filters[name]) params.set(name, filters[name]);
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

function fillForm(filters) {
  for (const name of FILTERS) {
    const input = /** @type {HTMLInputElement | HTMLSelectElement} */ (form.elements.namedItem(name));
    const value = filters[name] ?? '';
    if (input instanceof HTMLSelectElement && value && ![...input.options].some((o) => o.value === value)) {
      input.append(el('option', { value, text: `${value} (unknown topic)` }));
    }
    input.value = name === 'since' || name === 'until' ? value.slice(0, 10) : value;
    input.removeAttribute('aria-invalid');
  }
}

/** The page's own URL for a view: the filters, and the labelling panel's item while it is open. */
function pageUrl(filters) {
  return `${location.pathname}${queryString(filters, state.feedbackId ? { feedback: state.feedbackId } : {})}`;
}

function sameFilters(a, b) {
  return FILTERS.every((name) => (a[name] ?? '') === (b[name] ?? ''));
}

/** Shows a view: the URL, the form, the list and the chart follow `filters`. */
function applyFilters(filters, { push }) {
  const url = pageUrl(filters);
  if (push && (!sameFilters(filters, state.filters) || `${location.pathname}${location.search}` !== url)) {
    history.pushState({ filters }, '', url);
  } else {
    history.replaceState({ filters }, '', url);
  }
  state.filters = filters;
  fillForm(filters);
  showError(null);
  for (const link of document.querySelectorAll('a[data-feed-format]')) {
    link.setAttribute('href', `updates.${link.getAttribute('data-feed-format')}${queryString(filters)}`);
  }
  state.controller?.abort();
  state.controller = new AbortController();
  void loadUpdates(true);
  void loadChart();
  markLegend();
}

function showError(err) {
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  if (!err) {
    errorLine.hidden = true;
    errorLine.textContent = '';
    return;
  }
  errorLine.hidden = false;
  errorLine.textContent = describeError(err);
  if (err instanceof ApiError && err.parameter && FILTERS.includes(err.parameter)) {
    form.elements.namedItem(err.parameter)?.setAttribute('aria-invalid', 'true');
  }
}

// ---------------------------------------------------------------------------------------------
// Evidence highlighting

/** Phrases the classifier found in the text: `concept:x ← 'phrase'`; rule names are not phrases. */
function evidencePhrases(evidence) {
  const phrases = new Set();
  for (const entries of Object.values(evidence ?? {})) {
    for (const entry of Array.isArray(entries) ? entries : []) {
      if (typeof entry !== 'string' || entry.startsWith('rule:') || entry.startsWith('sentence:')) continue;
      const quoted = /←\s*'(.+?)'(?:\s*\(via [^)]*\))?\s*$/u.exec(entry);
      const phrase = (quoted ? quoted[1] : entry).trim();
      if (phrase.length >= 2) phrases.add(phrase);
    }
  }
  return [...phrases];
}

/** Case- and accent-folded text with, per folded character, the original character's span. */
function fold(text) {
  let folded = '';
  /** @type {number[]} */
  const starts = [];
  /** @type {number[]} */
  const ends = [];
  let i = 0;
  for (const ch of text) {
    const f = ch.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    for (const c of f) {
      folded += c;
      starts.push(i);
      ends.push(i + ch.length);
    }
    i += ch.length;
  }
  return { folded, starts, ends };
}

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The spans of `text` where a phrase occurs (at a word start; any punctuation between words). */
function phraseRanges(text, phrases) {
  const { folded, starts, ends } = fold(text);
  /** @type {[number, number][]} */
  const ranges = [];
  for (const phrase of phrases) {
    const words = fold(phrase).folded.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    if (words.length === 0) continue;
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${words.map(escapeRegExp).join('[^\\p{L}\\p{N}]+')}`, 'gu');
    for (const m of folded.matchAll(pattern)) {
      if (m[0].length === 0) continue;
      const end = m.index + m[0].length - 1;
      ranges.push([starts[m.index], ends[end]]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  /** @type {[number, number][]} */
  const merged = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/** Text nodes with `<mark>` around the evidence: never HTML parsing. */
function highlighted(text, phrases) {
  const fragment = document.createDocumentFragment();
  let at = 0;
  for (const [start, end] of phrases.length > 0 ? phraseRanges(text, phrases) : []) {
    if (start > at) fragment.append(text.slice(at, start));
    fragment.append(el('mark', { text: text.slice(start, end) }));
    at = end;
  }
  if (at < text.length) fragment.append(text.slice(at));
  return fragment;
}

// ---------------------------------------------------------------------------------------------
// One update's detail (its duplicates), fetched once, a few at a time

/** @type {Map<string, Promise<any>>} */
const details = new Map();
/** @type {(() => void)[]} */
const waiting = [];
let active = 0;

function detailOf(id) {
  let pending = details.get(id);
  if (!pending) {
    pending = new Promise((resolve, reject) => {
      const run = () => {
        active++;
        getJson(`updates/${encodeURIComponent(id)}`)
          .then(resolve, reject)
          .finally(() => {
            active--;
            waiting.shift()?.();
          });
      };
      if (active < DETAIL_CONCURRENCY) run();
      else waiting.push(run);
    });
    // A failure (throttling, network) is not remembered: the next look tries again.
    pending.catch(() => details.delete(id));
    details.set(id, pending);
  }
  return pending;
}

/** @param {HTMLElement} item */
function applyEvidence(item, evidence) {
  const phrases = evidencePhrases(evidence);
  const summary = item.querySelector('.summary');
  const title = item.querySelector('.title-text');
  if (summary) summary.replaceChildren(highlighted(summary.textContent ?? '', phrases));
  if (title) title.replaceChildren(highlighted(title.textContent ?? '', phrases));
  item.dataset.evidence = phrases.length > 0 ? 'shown' : 'none';
}

// ---------------------------------------------------------------------------------------------
// The list

let itemSeq = 0;

/**
 * One update as a card: a list entry by default; the labelling panel shows one as a `div`.
 * @param {any} item an update as the API sends it
 * @param {{ tag?: string, label?: any, labelError?: unknown }} [options] `label`: its recorded feedback, when known
 */
function renderUpdate(item, { tag = 'li', label, labelError } = {}) {
  const n = ++itemSeq;
  const href = safeHref(item.link);
  const titleText = el('span', { class: 'title-text', text: item.title || '(untitled)' });
  const heading = el('h3', { class: 'title', id: `u${n}-title` }, href ? el('a', { href, rel: 'noopener noreferrer' }, titleText) : titleText);
  const meta = el(
    'p',
    { class: 'meta' },
    el('span', { class: 'source', text: item.source || 'unknown source' }),
    timeNode(item.publishedAt),
    item.lang ? el('span', { class: 'lang', title: 'language', text: item.lang.toUpperCase() }) : null,
    el('span', { class: 'score', title: 'best topic score, 0 to 1', text: `score ${Number(item.score).toFixed(2)}` }),
  );
  const topics = el('ul', { class: 'topics', 'aria-label': 'topics' });
  for (const topic of item.topics ?? []) {
    topics.append(el('li', { class: `topic series-${topicIndex(topic) % 8}`, 'data-topic': topic, text: topicTitle(topic) }));
  }
  const summary = el('p', { class: 'summary', text: item.summary ?? '' });
  const article = el('article', { 'aria-labelledby': `u${n}-title` }, heading, meta, topics, summary);
  const li = el(tag, { class: 'update', 'data-id': item.id }, article);

  const count = Number(item.duplicateCount ?? 0);
  if (count > 0) {
    const panelId = `u${n}-dups`;
    const panel = el('ul', { class: 'duplicates', id: panelId, hidden: true, 'aria-label': 'similar reports' });
    const label = (open) => `${open ? 'Hide' : 'Show'} ${count} similar report${count === 1 ? '' : 's'}`;
    const button = el('button', { type: 'button', class: 'dups', 'aria-expanded': 'false', 'aria-controls': panelId, 'data-count': count, text: label(false) });
    button.addEventListener('click', async () => {
      const open = button.getAttribute('aria-expanded') !== 'true';
      button.setAttribute('aria-expanded', String(open));
      button.textContent = label(open);
      panel.hidden = !open;
      if (!open || panel.childElementCount > 0) return;
      panel.append(el('li', { class: 'muted', text: 'Loading…' }));
      try {
        const detail = await detailOf(item.id);
        panel.replaceChildren(...detail.duplicates.map(renderDuplicate));
        if (detail.duplicates.length === 0) panel.append(el('li', { class: 'muted', text: 'No similar reports left in the store.' }));
      } catch (err) {
        panel.replaceChildren(el('li', { class: 'error', text: describeError(err) }));
      }
    });
    article.append(el('p', { class: 'dup-line' }, el('span', { class: 'badge dup-count', text: `+${count}` }), button), panel);
  }
  article.append(feedbackBlock(item, n, label, labelError));

  applyEvidence(li, item.evidence);
  return li;
}

function renderDuplicate(dup) {
  const href = safeHref(dup.link);
  const title = dup.title || '(untitled)';
  return el(
    'li',
    { class: 'duplicate', 'data-id': dup.id },
    href ? el('a', { href, rel: 'noopener noreferrer', text: title }) : el('span', { text: title }),
    el('span', { class: 'meta' }, el('span', { class: 'source', text: dup.source }), timeNode(dup.publishedAt)),
  );
}

async function loadUpdates(reset) {
  const controller = state.controller;
  if (!controller) return;
  if (reset) {
    state.cursor = null;
    state.seen.clear();
    state.shown = 0;
    list.replaceChildren();
  }
  list.setAttribute('aria-busy', 'true');
  moreButton.disabled = true;
  statusLine.textContent = reset ? 'Loading…' : 'Loading more…';
  try {
    const page = await getJson(
      'updates',
      { ...state.filters, limit: PAGE_SIZE, duplicates: 'collapse', cursor: state.cursor ?? undefined },
      controller.signal,
    );
    if (controller !== state.controller) return;
    const added = [];
    for (const item of page.items) {
      if (state.seen.has(item.id)) continue;
      state.seen.add(item.id);
      if (item.lang) state.langs.add(item.lang);
      added.push(renderUpdate(item));
    }
    list.append(...added);
    state.shown += added.length;
    state.cursor = page.nextCursor;
    moreButton.hidden = !page.nextCursor;
    statusLine.textContent =
      state.shown === 0 && !page.nextCursor
        ? 'No updates match these filters.'
        : `Showing ${state.shown} update${state.shown === 1 ? '' : 's'}${page.nextCursor ? '; more are available' : ''}.`;
    updateLangs();
    if (!reset && moreButton.hidden && added[0]) {
      // The button is gone: keep the keyboard user in the list, at the first new update.
      added[0].querySelector('a, button')?.focus();
    }
  } catch (err) {
    if (isAbort(err) || controller !== state.controller) return;
    statusLine.textContent = reset ? 'The updates could not be loaded.' : 'More updates could not be loaded.';
    showError(err);
  } finally {
    if (controller === state.controller) {
      list.removeAttribute('aria-busy');
      moreButton.disabled = false;
    }
  }
}

function updateLangs() {
  const datalist = $('langs');
  const have = new Set([...datalist.children].map((o) => o.getAttribute('value')));
  for (const lang of [...state.langs].sort()) if (!have.has(lang)) datalist.append(el('option', { value: lang }));
}

// ---------------------------------------------------------------------------------------------
// Labelling a match: "Not relevant" or "Wrong topics…" on every card (POST updates/{id}/feedback),
// and the labelling panel that `?feedback=<id>` opens (the link in every alert email)

/** Each card's "apply this label" function, so a label given on one card shows on its twins. */
const labelViews = new WeakMap();

const NONE_CHECKED = 'Choose at least one topic. If none of them applies, use “Not relevant” instead.';
const UNKNOWN_ITEM = 'No stored match with this id — it may have expired.';

const topicTitles = (ids) => (ids ?? []).map(topicTitle).join(', ');

/** What a recorded label says, for the card's status line. */
function labelSentence(feedback) {
  return feedback.verdict === 'topics' ? `Topics set to: ${topicTitles(feedback.topics)}` : 'Marked not relevant';
}

/** "Already labelled not relevant by analyst at <time>": a label given before this page was opened. */
function earlierLabel(feedback) {
  const what = feedback.verdict === 'topics' ? `with the topics ${topicTitles(feedback.topics)}` : 'not relevant';
  return [`Already labelled ${what}${feedback.by ? ` by ${feedback.by}` : ''} at `, timeNode(feedback.at, 'an unknown time'), '.'];
}

/**
 * The two label actions, the topic chooser they open, a status line with the recorded label and
 * an error line. The list does not read labels (one more request per card): a card shows the
 * label given on it, or on a twin of it, since the page was opened; the labelling panel passes
 * the item's recorded `label` in.
 */
function feedbackBlock(item, n, label, labelError) {
  const statusId = `u${n}-fb-status`;
  const panelId = `u${n}-fb`;
  const notRelevant = el('button', { type: 'button', class: 'fb-not-relevant', 'aria-pressed': 'false', 'aria-describedby': statusId, text: 'Not relevant' });
  const wrongTopics = el('button', { type: 'button', class: 'fb-wrong-topics', 'aria-expanded': 'false', 'aria-controls': panelId, 'aria-describedby': statusId, text: 'Wrong topics…' });
  const choices = el('div', { class: 'fb-choices' });
  const save = el('button', { type: 'button', class: 'primary fb-save', text: 'Save' });
  const cancel = el('button', { type: 'button', class: 'fb-cancel', text: 'Cancel' });
  const panel = /** @type {HTMLFieldSetElement} */ (
    el('fieldset', { class: 'fb-panel', id: panelId, hidden: true }, el('legend', { text: 'The topics this match should have' }), choices, el('div', { class: 'fb-panel-actions' }, save, cancel))
  );
  const status = el('p', { class: 'fb-status', id: statusId, role: 'status' });
  const error = el('p', { class: 'fb-error error', role: 'alert', hidden: true });
  const block = el(
    'div',
    { class: 'feedback', 'data-label': 'none' },
    el('div', { class: 'fb-actions', role: 'group', 'aria-label': 'Label this match' }, notRelevant, wrongTopics),
    panel,
    status,
    error,
  );
  const buttons = [notRelevant, wrongTopics, save, cancel].map((b) => /** @type {HTMLButtonElement} */ (b));
  let recorded = label ?? null;
  let recordedHere = false;
  let busy = false;

  const showProblem = (message) => {
    error.hidden = !message;
    error.textContent = message ?? '';
  };
  const showLabel = () => {
    block.setAttribute('data-label', recorded ? recorded.verdict : 'none');
    notRelevant.setAttribute('aria-pressed', String(recorded?.verdict === 'not-relevant'));
    status.setAttribute('data-origin', recordedHere ? 'here' : 'earlier');
    if (!recorded) status.replaceChildren();
    else if (recordedHere) status.textContent = `${labelSentence(recorded)}.`;
    else status.replaceChildren(...earlierLabel(recorded));
  };

  const setOpen = (open, { focus = false } = {}) => {
    wrongTopics.setAttribute('aria-expanded', String(open));
    panel.hidden = !open;
    if (open) {
      // The recorded topics if the label is "topics", else the ones the classifier gave.
      const checked = new Set(recorded?.verdict === 'topics' ? recorded.topics : item.topics);
      choices.replaceChildren(
        ...state.topics.map((t) =>
          el('label', { class: 'fb-choice' }, el('input', { type: 'checkbox', value: t.id, checked: checked.has(t.id) }), el('span', { text: t.title })),
        ),
      );
      if (state.topics.length === 0) choices.append(el('p', { class: 'muted', text: 'The topic list could not be loaded; reload the page to try again.' }));
    } else {
      showProblem(null);
      if (focus) wrongTopics.focus();
    }
  };

  /** Records a label; true once the API has it. One request at a time: every control is off meanwhile. */
  const send = async (body) => {
    if (busy) return false;
    busy = true;
    const focused = document.activeElement;
    for (const b of buttons) b.disabled = true;
    panel.disabled = true;
    block.setAttribute('aria-busy', 'true');
    showProblem(null);
    status.textContent = 'Saving…';
    try {
      const { feedback } = await postJson(`updates/${encodeURIComponent(item.id)}/feedback`, body);
      applyLabel(feedback);
      // The same item in the list and in the labelling panel: both show the label.
      for (const other of document.querySelectorAll('.update .feedback')) {
        if (other !== block && other.closest('.update')?.getAttribute('data-id') === item.id) labelViews.get(other)?.(feedback);
      }
      return true;
    } catch (err) {
      showLabel();
      showProblem(describeError(err));
      return false;
    } finally {
      busy = false;
      for (const b of buttons) b.disabled = false;
      panel.disabled = false;
      block.removeAttribute('aria-busy');
      // A disabled button drops the focus; give it back to where it was.
      if (focused instanceof HTMLElement && (document.activeElement === document.body || !document.activeElement)) focused.focus();
    }
  };

  const applyLabel = (feedback) => {
    recorded = feedback;
    recordedHere = true;
    showLabel();
    showProblem(null);
  };
  labelViews.set(block, applyLabel);

  notRelevant.addEventListener('click', () => void send({ verdict: 'not-relevant' }).then((ok) => ok && setOpen(false)));
  wrongTopics.addEventListener('click', () => setOpen(wrongTopics.getAttribute('aria-expanded') !== 'true'));
  cancel.addEventListener('click', () => setOpen(false, { focus: true }));
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !busy) {
      event.preventDefault();
      setOpen(false, { focus: true });
    }
  });
  save.addEventListener('click', async () => {
    const topics = [...choices.querySelectorAll('input:checked')].map((input) => /** @type {HTMLInputElement} */ (input).value);
    if (topics.length === 0) {
      showProblem(NONE_CHECKED);
      return;
    }
    if (await send({ verdict: 'topics', topics })) setOpen(false, { focus: true });
  });

  showLabel();
  if (labelError) showProblem(`The label already given could not be read. ${describeError(labelError)}`);
  return block;
}

const labelling = $('labelling');
const labellingHeading = $('labelling-heading');
const labellingMessage = $('labelling-message');
const labellingCard = $('labelling-card');
let labellingSeq = 0;

/** Opens the labelling panel on one item: its card (GET updates/{id}) with its label, if any. */
async function openLabelling(id) {
  const seq = ++labellingSeq;
  state.feedbackId = id;
  labelling.hidden = false;
  labelling.setAttribute('aria-busy', 'true');
  labellingCard.replaceChildren();
  labellingMessage.classList.remove('error');
  labellingMessage.textContent = 'Loading the match…';
  const path = `updates/${encodeURIComponent(id)}`;
  const [detail, label] = await Promise.allSettled([detailOf(id), getJson(`${path}/feedback`)]);
  if (seq !== labellingSeq) return;
  labelling.removeAttribute('aria-busy');
  if (detail.status === 'rejected') {
    const err = detail.reason;
    labellingMessage.classList.add('error');
    labellingMessage.replaceChildren(
      err instanceof ApiError && err.status === 404 ? UNKNOWN_ITEM : describeError(err),
      el('span', { class: 'labelling-id' }, 'Id: ', el('code', { text: id })),
    );
  } else {
    labellingMessage.textContent = '';
    const item = { ...detail.value, duplicateCount: detail.value.duplicates?.length ?? 0 };
    labellingCard.replaceChildren(
      renderUpdate(item, {
        tag: 'div',
        label: label.status === 'fulfilled' ? label.value?.feedback : undefined,
        labelError: label.status === 'rejected' ? label.reason : undefined,
      }),
    );
  }
  // Unless the analyst has already moved on to something else on the page.
  if (!document.activeElement || document.activeElement === document.body) labellingHeading.focus();
}

/** Closes the panel and drops `feedback` from the URL (unless Back/Forward already did); the filters stay. */
function closeLabelling({ restoreFocus, rewriteUrl = true }) {
  labellingSeq++;
  const hadFocus = labelling.contains(document.activeElement);
  state.feedbackId = null;
  labelling.hidden = true;
  labelling.removeAttribute('aria-busy');
  labellingCard.replaceChildren();
  labellingMessage.textContent = '';
  if (rewriteUrl) history.replaceState(history.state, '', pageUrl(state.filters));
  if (restoreFocus || hadFocus) $('updates-heading').focus();
}

/** The panel follows the URL's `feedback` (on load, and on Back/Forward). */
function syncLabelling(params) {
  const id = params.get('feedback')?.trim() || null;
  if (id === state.feedbackId) return;
  if (id) void openLabelling(id);
  else closeLabelling({ restoreFocus: false, rewriteUrl: false });
}

// ---------------------------------------------------------------------------------------------
// The chart: first reports per topic per day (UTC days, as the API's dates are)

function utcDay(ms) {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

function isoDay(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

function chartRange(filters) {
  const parse = (value) => {
    const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
    return Number.isNaN(ms) ? undefined : ms;
  };
  const until = utcDay((filters.until && parse(filters.until)) ?? Date.now());
  let since = utcDay((filters.since && parse(filters.since)) ?? until - (CHART_DEFAULT_DAYS - 1) * DAY_MS);
  let clipped = false;
  if (since > until) since = until;
  if ((until - since) / DAY_MS + 1 > CHART_MAX_DAYS) {
    since = until - (CHART_MAX_DAYS - 1) * DAY_MS;
    clipped = true;
  }
  return { since, until, days: (until - since) / DAY_MS + 1, clipped };
}

async function loadChart() {
  const controller = state.controller;
  if (!controller) return;
  const filters = state.filters;
  const range = chartRange(filters);
  const note = $('chart-note');
  note.textContent = 'Counting…';
  $('chart').setAttribute('aria-busy', 'true');
  /** @type {Map<string, number[]>} */
  const counts = new Map(state.topics.map((t) => [t.id, new Array(range.days).fill(0)]));
  let cursor;
  let pages = 0;
  let total = 0;
  try {
    do {
      const page = await getJson(
        'updates',
        {
          since: isoDay(range.since),
          until: filters.until ?? undefined,
          lang: filters.lang,
          source: filters.source,
          q: filters.q,
          duplicates: 'include',
          limit: CHART_PAGE_SIZE,
          cursor,
        },
        controller.signal,
      );
      if (controller !== state.controller) return;
      for (const item of page.items) {
        if (item.duplicateOf) continue;
        const day = Math.floor((utcDay(Date.parse(item.publishedAt)) - range.since) / DAY_MS);
        if (!(day >= 0 && day < range.days)) continue;
        total++;
        for (const topic of item.topics) {
          if (!counts.has(topic)) counts.set(topic, new Array(range.days).fill(0));
          counts.get(topic)[day]++;
        }
      }
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < CHART_MAX_PAGES);
  } catch (err) {
    if (isAbort(err) || controller !== state.controller) return;
    note.textContent = `The chart could not be drawn: ${describeError(err)}`;
    $('chart').removeAttribute('aria-busy');
    return;
  }
  drawChart(range, counts);
  const partial = cursor ? ` (the newest ${pages * CHART_PAGE_SIZE} updates only)` : '';
  const clipped = range.clipped ? ` The chart shows the last ${CHART_MAX_DAYS} days of the range.` : '';
  const others = ['lang', 'source', 'q'].filter((f) => filters[f]);
  note.textContent =
    `${total} first report${total === 1 ? '' : 's'} from ${isoDay(range.since)} to ${isoDay(range.until)} (UTC days)${partial}` +
    `${others.length ? `, filtered by ${others.join(', ')}` : ''}; every topic is drawn, the chosen one stands out.${clipped}`;
  $('chart').removeAttribute('aria-busy');
}

function niceMax(value) {
  if (value <= 4) return 4;
  const step = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= value) return m * step;
  return 10 * step;
}

function drawChart(range, counts) {
  const W = 720, H = 260;
  const m = { left: 40, right: 16, top: 14, bottom: 30 };
  const plotW = W - m.left - m.right, plotH = H - m.top - m.bottom;
  const series = [...counts.entries()];
  const max = niceMax(Math.max(0, ...series.flatMap(([, c]) => c)));
  const x = (i) => m.left + (range.days === 1 ? plotW / 2 : (i * plotW) / (range.days - 1));
  const y = (v) => m.top + plotH - (v / max) * plotH;

  const root = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    class: 'chart-svg',
    role: 'img',
    'aria-labelledby': 'chart-title chart-desc',
    preserveAspectRatio: 'xMidYMid meet',
  });
  const title = svg('title', { id: 'chart-title' });
  title.textContent = 'First reports per topic per day';
  const desc = svg('desc', { id: 'chart-desc' });
  desc.textContent = series
    .map(([topic, c]) => `${topicTitle(topic)}: ${c.reduce((a, b) => a + b, 0)}`)
    .join('; ');
  root.append(title, desc);

  const grid = svg('g', { class: 'grid' });
  const steps = max <= 5 ? max : [5, 4, 3].find((n) => max % n === 0) ?? 4;
  for (let k = 0; k <= steps; k++) {
    const v = (max * k) / steps;
    grid.append(svg('line', { x1: m.left, x2: W - m.right, y1: y(v), y2: y(v) }));
    const label = svg('text', { x: m.left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis-label' });
    label.textContent = Number.isInteger(v) ? String(v) : v.toFixed(1);
    grid.append(label);
  }
  const ticks = Math.min(range.days, 7);
  for (let k = 0; k < ticks; k++) {
    const i = ticks === 1 ? 0 : Math.round((k * (range.days - 1)) / (ticks - 1));
    const label = svg('text', { x: x(i), y: H - 10, 'text-anchor': ticks === 1 ? 'middle' : k === 0 ? 'start' : k === ticks - 1 ? 'end' : 'middle', class: 'axis-label' });
    label.textContent = dayFormat.format(range.since + i * DAY_MS);
    grid.append(label);
  }
  root.append(grid);

  const selected = state.filters.topic;
  const dots = range.days <= 62;
  for (const [topic, c] of series) {
    const cls = `series series-${topicIndex(topic) % 8}${selected ? (topic === selected ? ' selected' : ' dimmed') : ''}`;
    const group = svg('g', { class: cls, 'data-topic': topic });
    const points = c.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    group.append(svg('polyline', { points, 'data-topic': topic, fill: 'none' }));
    if (dots) {
      c.forEach((v, i) => {
        if (v === 0) return;
        const dot = svg('circle', { cx: x(i).toFixed(1), cy: y(v).toFixed(1), r: 3 });
        const tip = svg('title');
        tip.textContent = `${topicTitle(topic)}, ${isoDay(range.since + i * DAY_MS)}: ${v}`;
        dot.append(tip);
        group.append(dot);
      });
    }
    root.append(group);
  }
  $('chart').replaceChildren(root);

  const legend = $('legend');
  legend.replaceChildren(
    ...series.map(([topic, c]) => {
      const total = c.reduce((a, b) => a + b, 0);
      const button = el(
        'button',
        { type: 'button', 'data-topic': topic, 'aria-pressed': String(topic === selected), title: `Show only ${topicTitle(topic)}` },
        el('span', { class: `swatch series-${topicIndex(topic) % 8}`, 'aria-hidden': 'true' }),
        el('span', { text: topicTitle(topic) }),
        el('span', { class: 'count', text: String(total) }),
      );
      button.addEventListener('click', () => {
        const filters = { ...state.filters };
        if (filters.topic === topic) delete filters.topic;
        else filters.topic = topic;
        applyFilters(filters, { push: true });
      });
      return el('li', {}, button);
    }),
  );
}

function markLegend() {
  for (const button of document.querySelectorAll('#legend button')) {
    button.setAttribute('aria-pressed', String(button.getAttribute('data-topic') === state.filters.topic));
  }
}

// ---------------------------------------------------------------------------------------------
// Topics and feed health

async function loadTopics() {
  const select = /** @type {HTMLSelectElement} */ (form.elements.namedItem('topic'));
  try {
    const { topics } = await getJson('topics');
    state.topics = topics.map((t) => ({ id: t.id, title: t.title }));
    select.append(
      ...topics.map((t) => el('option', { value: t.id, text: `${t.title} (${t.counts.last7d} in 7 days)` })),
    );
  } catch (err) {
    showError(err);
  }
}

async function loadFeeds() {
  const body = /** @type {HTMLTableSectionElement} */ (document.querySelector('#feeds tbody'));
  const note = $('feeds-note');
  try {
    const { feeds } = await getJson('feeds');
    const sources = $('sources');
    sources.replaceChildren(...[...new Set(feeds.map((f) => f.name))].sort().map((name) => el('option', { value: name })));
    // Feeds that need attention first; otherwise the API's order (by name).
    const ordered = [...feeds.filter((f) => f.status !== 'ok'), ...feeds.filter((f) => f.status === 'ok')];
    body.replaceChildren(...ordered.map(renderFeed));
    const failing = feeds.filter((f) => f.status !== 'ok');
    note.textContent =
      feeds.length === 0
        ? 'No feed has been polled yet.'
        : failing.length === 0
          ? `All ${feeds.length} feeds are healthy.`
          : `${failing.length} of ${feeds.length} feeds need attention.`;
  } catch (err) {
    note.textContent = `Feed health could not be loaded: ${describeError(err)}`;
  }
}

function hostOf(url) {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

const STATUS_TEXT = { ok: 'ok', failing: 'failing', moved: 'moved', gone: 'gone', 'never-polled': 'never polled' };

function renderFeed(feed) {
  const problem = feed.status !== 'ok';
  const error = feed.lastError || (feed.lastStatus && feed.lastStatus >= 400 ? `HTTP ${feed.lastStatus}` : '');
  return el(
    'tr',
    { class: `feed status-${feed.status}${problem ? ' attention' : ''}`, 'data-status': feed.status, 'data-url': feed.url },
    el('th', { scope: 'row' }, el('span', { class: 'feed-name', text: feed.name || feed.url }), el('span', { class: 'feed-url', title: feed.url, text: hostOf(feed.url) })),
    el(
      'td',
      {},
      el('span', { class: `badge badge-${feed.status}`, text: STATUS_TEXT[feed.status] ?? feed.status }),
      feed.movedTo ? el('span', { class: 'feed-url', text: `→ ${feed.movedTo}` }) : null,
    ),
    el('td', {}, relativeTimeNode(feed.lastSuccessAt, 'never')),
    el('td', { class: `num${feed.consecutiveFailures > 0 ? ' bad' : ''}`, text: String(feed.consecutiveFailures) }),
    el('td', {}, relativeTimeNode(feed.nextPollAt, 'when due')),
    languageNotCoveredCell(feed.languageNotCovered),
    el('td', { class: 'feed-error', text: error || '—', title: error || undefined }),
  );
}

/** "sv 12 · tr 3": the running total; the last fetch's counts in the tooltip. Older APIs send nothing. */
function languageNotCoveredCell(holes) {
  const list = (tally) =>
    Object.entries(tally ?? {})
      .map(([lang, n]) => `${lang} ${n}`)
      .join(' · ');
  const total = list(holes?.total);
  const last = list(holes?.lastFetch);
  return el('td', {
    class: `feed-languages${total ? ' bad' : ''}`,
    text: total || '—',
    title: total ? `New entries the topic pack has no terms for. Last fetch: ${last || 'none'}` : undefined,
  });
}

// ---------------------------------------------------------------------------------------------
// Wiring

form.addEventListener('submit', (event) => {
  event.preventDefault();
  applyFilters(filtersFromForm(), { push: true });
});
for (const name of ['topic', 'since', 'until']) {
  form.elements.namedItem(name)?.addEventListener('change', () => applyFilters(filtersFromForm(), { push: true }));
}
$('reset').addEventListener('click', () => applyFilters({}, { push: true }));
moreButton.addEventListener('click', () => void loadUpdates(false));
window.addEventListener('popstate', () => {
  const params = new URLSearchParams(location.search);
  syncLabelling(params);
  applyFilters(filtersFrom(params), { push: false });
});
$('labelling-close').addEventListener('click', () => closeLabelling({ restoreFocus: true }));
for (const link of document.querySelectorAll('.site-footer a[href^="updates."]')) {
  link.setAttribute('data-feed-format', link.getAttribute('href').slice('updates.'.length));
}

async function start() {
  await loadTopics();
  void loadFeeds();
  const params = new URLSearchParams(location.search);
  // First: it sets state.feedbackId at once, so the URL applyFilters writes keeps `feedback`.
  syncLabelling(params);
  applyFilters(filtersFrom(params), { push: false });
}

void start();
