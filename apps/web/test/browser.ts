import axe from "axe-core";
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";

/**
 * Debian's Chromium (`apt-get install chromium`), never a downloaded browser.
 * The flags keep it from reaching for the network, which is closed here;
 * playwright gives each launch a fresh, temporary profile.
 */
export async function launchBrowser(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

let counter = 0;
export function uniqueUser() {
  counter += 1;
  const username = `web${counter}_${Math.random().toString(36).slice(2, 7)}`;
  return { username, email: `${username}@example.test`, name: `Web User ${counter}`, password: "a long password" };
}

export async function signUpThroughForm(page: Page, baseUrl: string, user: ReturnType<typeof uniqueUser>) {
  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel("Username", { exact: true }).fill(user.username);
  await page.getByLabel("Email", { exact: true }).fill(user.email);
  await page.getByLabel("Name", { exact: true }).fill(user.name);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL(`${baseUrl}/keys`);
  // the URL alone could be a stop on the way to a redirect
  await page.getByRole("heading", { name: "API keys" }).waitFor();
  await hydrated(page);
}

/**
 * Waits until React has hydrated the page: the server's HTML has no event
 * handlers, so a click that lands before hydration is lost (a "Create key"
 * click once opened no dialog in CI). React marks each element it hydrates
 * with a property named `__reactProps…`.
 */
export async function hydrated(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const button = document.querySelector("main button");
    return button !== null && Object.keys(button).some((property) => property.startsWith("__reactProps"));
  });
}

/**
 * Creates a key for the page's signed-in person over REST, from inside the
 * page (same origin, with its session cookie), as a script on the site would.
 */
export async function createKeyFromPage(page: Page, name: string): Promise<{ id: number; key: string }> {
  const answer = await page.evaluate(async (keyName) => {
    const response = await fetch("/api/v1/api-keys", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: keyName }) });
    return { status: response.status, body: (await response.json()) as { data: { id: number; key: string } } };
  }, name);
  expect(answer.status, "POST /api/v1/api-keys from the page").toBe(201);
  return answer.body.data;
}

/**
 * On /docs/api (loaded), runs GET /api/v1/api-keys with Swagger UI's "Try it
 * out", authenticated by the page's session cookie, and returns the status
 * cell and the text of the response table.
 */
export async function tryListingKeysInSwagger(page: Page): Promise<{ status: string; response: string }> {
  const operation = page.locator("#operations-default-getApiKeys");
  await operation.locator(".opblock-summary").click();
  await operation.getByRole("button", { name: "Try it out" }).click();
  // as Swagger UI fills the form: the document's query examples must not pre-fill it (a made-up cursor was a 400)
  await operation.getByRole("button", { name: "Execute" }).click();
  const status = operation.locator(".live-responses-table tbody .response-col_status").first();
  await status.waitFor();
  return { status: (await status.textContent()) ?? "", response: (await operation.locator(".live-responses-table").textContent()) ?? "" };
}

declare global {
  interface Window {
    /** axe-core, once expectNoSeriousAxeViolations has put it in the page */
    axe: typeof axe;
  }
}

/** The WCAG 2.0, 2.1 and 2.2 level A and AA rules: what the dashboard promises. */
const WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/**
 * Runs axe-core on the page as it is now and fails, naming each one, on any
 * critical or serious WCAG A/AA violation. axe's source goes in through
 * page.evaluate (the devtools protocol), which the page's CSP does not
 * govern, so no script tag and no policy change is needed.
 *
 * Text in exactly its background's colour is one too: axe files a 1:1
 * contrast under "incomplete" (it takes it for text hidden on purpose), which
 * is how the landing page's main button showed no text and passed.
 */
export async function expectNoSeriousAxeViolations(page: Page, label: string): Promise<void> {
  await page.evaluate(axe.source);
  const violations = await page.evaluate(async (tags) => {
    const results = await window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations", "incomplete"] });
    const sameColour = results.incomplete
      .filter((result) => result.id === "color-contrast")
      .map((result) => ({ ...result, nodes: result.nodes.filter((node) => node.any.some((check) => (check.data as { messageKey?: string } | null)?.messageKey === "equalRatio")) }))
      .filter((result) => result.nodes.length > 0);
    return [...results.violations, ...sameColour]
      .filter((violation) => violation.impact === "critical" || violation.impact === "serious")
      .map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        nodes: violation.nodes.slice(0, 5).map((node) => `${node.target.join(" ")}${node.failureSummary ? `: ${node.failureSummary.replace(/\s+/g, " ")}` : ""}`),
      }));
  }, WCAG_AA_TAGS);
  expect(violations, `serious or critical accessibility violations (axe, WCAG A/AA) on ${label}`).toEqual([]);
}

/** The page is no wider than the window: nothing makes a phone scroll sideways. */
export async function expectNoHorizontalScroll(page: Page, label: string): Promise<void> {
  const { scrollWidth, innerWidth, widest } = await page.evaluate(() => {
    // the element reaching furthest right names the culprit when there is one
    let widest = "";
    let right = 0;
    for (const element of document.body.querySelectorAll("*")) {
      const box = element.getBoundingClientRect();
      if (box.right > right) {
        right = box.right;
        widest = `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ""}${element.className && typeof element.className === "string" ? `.${element.className.trim().split(/\s+/).join(".")}` : ""} (right edge ${Math.round(box.right)} px)`;
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, widest };
  });
  expect(scrollWidth, `${label} is ${scrollWidth} px wide in a ${innerWidth} px window; widest: ${widest}`).toBeLessThanOrEqual(innerWidth);
}

export interface TestBrowser {
  /** A fresh context (cookies, storage) whose pages are watched for problems; closed after the test. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  /**
   * A console error the current test causes on purpose: the browser logs every
   * 4xx answer to fetch ("Failed to load resource: … status of 401"), and a
   * test that is refused on purpose says which refusals it expects.
   */
  expectConsoleError(pattern: RegExp): void;
}

/**
 * One browser for the calling test file: launched before its tests, closed
 * after. Every test fails if a page it opened logged a console error, threw an
 * uncaught exception, or had something blocked by its Content-Security-Policy
 * (which Chromium also logs as a console error; the listener below names it
 * even where it would not), unless the test expected that console error.
 */
export function browserForFile(): TestBrowser {
  let launched: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  let contexts: BrowserContext[] = [];
  let problems: string[] = [];
  let expected: RegExp[] = [];

  beforeAll(async () => {
    launched = await launchBrowser();
  });
  afterAll(async () => {
    await launched?.close();
  });
  afterEach(async () => {
    const opened = contexts;
    contexts = [];
    await Promise.all(opened.map((context) => context.close()));
    const unexpected = problems.filter((problem) => !expected.some((pattern) => pattern.test(problem)));
    problems = [];
    expected = [];
    expect(unexpected, "console errors, uncaught exceptions or CSP violations in the pages").toEqual([]);
  });

  return {
    async newContext(options) {
      if (!launched) throw new Error("the browser is not running yet");
      const context = await launched.browser.newContext(options);
      contexts.push(context);
      await context.addInitScript(() => {
        document.addEventListener("securitypolicyviolation", (event) => {
          console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline code"} in ${event.sourceFile}:${event.lineNumber}`);
        });
      });
      context.on("console", (message) => {
        if (message.type() === "error") problems.push(`console error at ${message.location().url || message.page()?.url() || "?"}: ${message.text()}`);
      });
      context.on("weberror", (error) => {
        problems.push(`uncaught in ${error.page()?.url() ?? "?"}: ${error.error().message}`);
      });
      return context;
    },
    expectConsoleError(pattern) {
      expected.push(pattern);
    },
  };
}
