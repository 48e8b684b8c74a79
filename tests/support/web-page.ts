import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { createHandler, type QueryHandlerDeps } from '#functions/query.ts';
import { startApiServer } from '#cli/commands/serve.ts';

/** The web page's browser tests: `fundwatch serve`'s server, and a recorded browser session on it. */

/** The query Lambda's handler behind `fundwatch serve`'s loopback server, as an analyst runs it. */
export async function startPageServer(deps: QueryHandlerDeps): Promise<{ url: string; close: () => Promise<void> }> {
  const handler = createHandler(deps) as unknown as (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;
  const api = await startApiServer({ handler, port: 0 });
  return { url: api.url, close: api.close };
}

export interface SeenRequest {
  method: string;
  url: string;
  body: string;
}

export interface PageSession {
  context: BrowserContext;
  page: Page;
  /** Every request the page sent, in order. */
  requests: SeenRequest[];
  consoleProblems: string[];
  pageErrors: string[];
  violations: () => Promise<string[]>;
}

/** A fresh browser context on `url` that records every request, console problem, page error and CSP violation. */
export async function openPageSession(browser: Browser, url: string, viewport = { width: 1280, height: 900 }): Promise<PageSession> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const requests: SeenRequest[] = [];
  const consoleProblems: string[] = [];
  const pageErrors: string[] = [];
  page.on('request', (r) => requests.push({ method: r.method(), url: r.url(), body: r.postData() ?? '' }));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') consoleProblems.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.addInitScript({
    content: `window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));`,
  });
  await page.goto(url);
  await waitForList(page);
  return { context, page, requests, consoleProblems, pageErrors, violations: () => page.evaluate<string[]>('window.__violations') };
}

/** The list has finished loading (first page or the next one). */
export async function waitForList(page: Page): Promise<void> {
  // Locators, not waitForFunction: its string form is an eval, which the page's CSP refuses.
  await page.locator('#status', { hasText: /^(Showing|No updates)/ }).waitFor();
  await page.locator('#updates:not([aria-busy])').waitFor({ state: 'attached' });
}

export const listedIds = (page: Page) => page.$$eval('#updates > li', (items) => items.map((li) => li.getAttribute('data-id')));
