import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BrowserContext, chromium, Locator, Page } from 'playwright-core';
import type { CodeServer } from './codeServer';
import { registerTempDir, unregisterTempDir } from './cleanup';
import { hostTools } from './paths';

export interface NotificationInfo {
  message: string;
  /** The notification's source (e.g. the extension name), when shown. */
  source: string;
  buttons: string[];
}

export interface WorkbenchOptions {
  /** Chromium profile dir; a fresh temp dir when omitted. */
  profileDir?: string;
  viewport?: { width: number; height: number };
  /** More Chromium flags, e.g. trust in one test server's key (--ignore-certificate-errors-spki-list). */
  extraArgs?: string[];
}

/** The flags that keep Debian's Chromium quiet on a machine without internet (see notes/vscode-host.md). */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

type ExitHandler = (code: number) => void;
type LogHandler = (type: string, args: unknown[]) => void;

/**
 * Drives the VS Code web workbench served by code-server in headless Chromium. One persistent
 * browser context for its whole life: code-server keeps secrets in the browser's localStorage, so
 * reload/restart scenarios must reuse it.
 */
export class Workbench {
  private exitHandler: ExitHandler | undefined;
  private logHandler: LogHandler | undefined;
  private automationExposed = false;
  private currentPage: Page | undefined;
  /** Console errors seen in workbench pages (for diagnostics). */
  readonly consoleErrors: string[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly profileDir: string,
    private readonly ownsProfile: boolean,
  ) {}

  static async launch(options: WorkbenchOptions = {}): Promise<Workbench> {
    const tools = hostTools();
    const ownsProfile = !options.profileDir;
    const profileDir = options.profileDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'msal-chromium-'));
    if (ownsProfile) registerTempDir(profileDir);
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath: tools.chromium,
      headless: true,
      args: [...chromiumArgs, ...(options.extraArgs ?? [])],
      viewport: options.viewport ?? { width: 1400, height: 900 },
      // The workbench reads the clipboard for "Copy and open"-style buttons; grant it.
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    return new Workbench(context, profileDir, ownsProfile);
  }

  /** The page showing the workbench (the last one opened with open()). */
  get page(): Page {
    if (!this.currentPage || this.currentPage.isClosed()) throw new Error('no workbench page open; call open() first');
    return this.currentPage;
  }

  /** Opens (or navigates the current page to) the workbench for `folder` and waits until it is ready. */
  async open(codeServer: CodeServer, folder: string, opts: { query?: Record<string, string>; timeoutMs?: number } = {}): Promise<Page> {
    const params = new URLSearchParams({ folder, ...(opts.query ?? {}) });
    const url = `${codeServer.url}/?${params.toString()}`;
    let page = this.currentPage && !this.currentPage.isClosed() ? this.currentPage : undefined;
    if (!page) {
      page = this.context.pages().find((p) => p.url() === 'about:blank') ?? (await this.context.newPage());
      page.on('console', (m) => {
        if (m.type() === 'error') this.consoleErrors.push(m.text());
      });
    }
    this.currentPage = page;
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: opts.timeoutMs ?? 60_000 });
    await this.waitUntilReady(opts.timeoutMs ?? 60_000);
    return page;
  }

  /** Reloads the workbench page (same browser context, so secrets survive) and waits until it is ready. */
  async reload(timeoutMs = 60_000): Promise<void> {
    await this.page.reload({ waitUntil: 'domcontentloaded', timeout: timeoutMs });
    await this.waitUntilReady(timeoutMs);
  }

  /** Waits for the workbench shell: activity bar with the Accounts entry and the status bar. */
  async waitUntilReady(timeoutMs = 60_000): Promise<void> {
    const page = this.page;
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
    await this.accountsButton().waitFor({ state: 'visible', timeout: timeoutMs });
  }

  // ------------------------------------------------------------------ Accounts menu

  /** The person icon at the bottom of the activity bar. */
  accountsButton(): Locator {
    return this.page.locator('.part.activitybar li.action-item[role="button"][aria-label^="Accounts"]').first();
  }

  private menu(): Locator {
    return this.page.locator('.context-view .monaco-menu').last();
  }

  /** Opens the Accounts menu and returns the labels of its entries. */
  async openAccountsMenu(timeoutMs = 15_000): Promise<string[]> {
    await this.closeMenus();
    await this.accountsButton().click({ timeout: timeoutMs });
    await this.menu().waitFor({ state: 'visible', timeout: timeoutMs });
    return this.menuEntries();
  }

  /** Labels of the entries of the open context menu (separators left out). */
  async menuEntries(): Promise<string[]> {
    const items = this.menu().locator('.action-item:not(.disabled) .action-menu-item .action-label, .action-item.disabled .action-menu-item .action-label');
    const labels = await items.allInnerTexts();
    return labels.map((l) => l.trim()).filter((l) => l.length > 0);
  }

  /** Clicks the entry of the open context menu whose label matches. */
  async clickMenuEntry(label: string | RegExp, timeoutMs = 10_000): Promise<void> {
    const item = this.menu().locator('.action-menu-item').filter({ has: this.page.locator('.action-label', { hasText: label }) }).first();
    await item.waitFor({ state: 'visible', timeout: timeoutMs });
    await item.click();
  }

  /** Hovers an entry that opens a submenu (e.g. the account entry) and returns the submenu's entries. */
  async openSubmenu(label: string | RegExp, timeoutMs = 10_000): Promise<string[]> {
    const menus = this.page.locator('.context-view .monaco-menu');
    const before = await menus.count();
    const item = this.menu().locator('.action-menu-item').filter({ has: this.page.locator('.action-label', { hasText: label }) }).first();
    await item.hover({ timeout: timeoutMs });
    await item.press('ArrowRight').catch(() => undefined);
    const deadline = Date.now() + timeoutMs;
    while ((await menus.count()) <= before && Date.now() < deadline) await this.page.waitForTimeout(100);
    return this.menuEntries();
  }

  /** Polls the Accounts menu until some entry matches `pattern`; returns all entries. */
  async waitForAccountsEntry(pattern: RegExp, timeoutMs = 60_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let entries: string[] = [];
    while (Date.now() < deadline) {
      entries = await this.openAccountsMenu().catch(() => []);
      if (entries.some((e) => pattern.test(e))) return entries;
      await this.closeMenus();
      await this.page.waitForTimeout(1000);
    }
    throw new Error(`Accounts menu has no entry matching ${pattern} after ${timeoutMs} ms; entries: ${JSON.stringify(entries)}`);
  }

  async closeMenus(): Promise<void> {
    for (let i = 0; i < 3 && (await this.page.locator('.context-view .monaco-menu').count()) > 0; i++) {
      await this.page.keyboard.press('Escape');
      await this.page.waitForTimeout(50);
    }
  }

  // ------------------------------------------------------------------ dialogs

  /** Clicks a button (default `Allow`) in the modal `.monaco-dialog-box`; returns the dialog's text. */
  async clickDialogButton(button = 'Allow', timeoutMs = 30_000): Promise<string> {
    const dialog = this.page.locator('.monaco-dialog-box').last();
    await dialog.waitFor({ state: 'visible', timeout: timeoutMs });
    const text = (await dialog.innerText()).trim();
    await dialog.getByRole('button', { name: button, exact: true }).click({ timeout: timeoutMs });
    await dialog.waitFor({ state: 'hidden', timeout: timeoutMs }).catch(() => undefined);
    return text;
  }

  /** Text of the open modal dialog, or undefined. */
  async dialogText(): Promise<string | undefined> {
    const dialog = this.page.locator('.monaco-dialog-box');
    if ((await dialog.count()) === 0) return undefined;
    return (await dialog.last().innerText()).trim();
  }

  // ------------------------------------------------------------------ command palette

  /** Runs a command by its title from the command palette (F1). */
  async runCommand(title: string, timeoutMs = 20_000): Promise<void> {
    const page = this.page;
    await this.closeMenus();
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: timeoutMs });
    await input.fill(`>${title}`);
    const row = page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row')
      .filter({ has: page.locator('.label-name', { hasText: title }) })
      .first();
    await row.waitFor({ state: 'visible', timeout: timeoutMs });
    await row.click();
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: timeoutMs }).catch(() => undefined);
  }

  // ------------------------------------------------------------------ notifications

  /** Notification rows: visible toasts and, when open, the notification center. */
  private notificationRows(): Locator {
    return this.page.locator(
      '.notifications-toasts .notification-toast-container .monaco-list-row, .notifications-center.visible .monaco-list-row',
    );
  }

  private static async readNotification(row: Locator): Promise<NotificationInfo> {
    const message = (await row.locator('.notification-list-item-message').first().innerText().catch(() => '')).trim();
    const source = (await row.locator('.notification-list-item-source').first().innerText().catch(() => '')).trim();
    const buttons = (await row.locator('.notification-list-item-buttons-container .monaco-button').allInnerTexts()).map((b) => b.trim());
    return { message, source, buttons };
  }

  /** The visible notifications (toasts, plus the notification center when open). */
  async notifications(): Promise<NotificationInfo[]> {
    const rows = await this.notificationRows().all();
    const out: NotificationInfo[] = [];
    for (const row of rows) out.push(await Workbench.readNotification(row).catch(() => ({ message: '', source: '', buttons: [] })));
    return out.filter((n) => n.message);
  }

  /** Opens the notification center (where toasts go after they hide). */
  async showNotificationCenter(): Promise<void> {
    if ((await this.page.locator('.notifications-center.visible').count()) > 0) return;
    await this.runCommand('Notifications: Show Notifications');
    await this.page.locator('.notifications-center.visible').waitFor({ state: 'visible', timeout: 10_000 });
  }

  /**
   * Waits for a notification whose message matches: polls the toasts, and in the last stretch also
   * the notification center (a toast hides after a few seconds when the window has focus).
   */
  async waitForNotification(message: RegExp, timeoutMs = 30_000): Promise<NotificationInfo> {
    const deadline = Date.now() + timeoutMs;
    let seen: NotificationInfo[] = [];
    let centerTried = false;
    for (;;) {
      seen = await this.notifications();
      const hit = seen.find((n) => message.test(n.message));
      if (hit) return hit;
      if (Date.now() > deadline) break;
      if (!centerTried && Date.now() > deadline - Math.min(10_000, timeoutMs / 3)) {
        centerTried = true;
        await this.showNotificationCenter().catch(() => undefined);
        continue;
      }
      await this.page.waitForTimeout(250);
    }
    throw new Error(`no notification matching ${message} within ${timeoutMs} ms; visible: ${JSON.stringify(seen)}`);
  }

  /** Clicks `button` on the notification whose message matches (toast or notification center). */
  async clickNotificationButton(message: RegExp, button: string | RegExp, timeoutMs = 30_000): Promise<void> {
    await this.waitForNotification(message, timeoutMs);
    const row = this.notificationRows().filter({ has: this.page.locator('.notification-list-item-message', { hasText: message }) }).first();
    await row.hover().catch(() => undefined); // keeps a toast from hiding
    const name = typeof button === 'string' ? new RegExp(`^\\s*${button.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) : button;
    await row.locator('.notification-list-item-buttons-container .monaco-button', { hasText: name }).first().click({ timeout: timeoutMs });
  }

  // ------------------------------------------------------------------ pages, screenshots

  /**
   * Runs `action` and returns the next page the browser context opens (e.g. what
   * `vscode.env.openExternal` opens), loaded to `domcontentloaded`.
   */
  async waitForNewPage(action: () => Promise<unknown>, timeoutMs = 60_000): Promise<Page> {
    const [page] = await Promise.all([this.context.waitForEvent('page', { timeout: timeoutMs }), action()]);
    await page.waitForLoadState('domcontentloaded', { timeout: timeoutMs });
    return page;
  }

  /** Screenshot of the workbench page (or the given page) to `file`; never throws. */
  async screenshot(file: string, page?: Page): Promise<string | undefined> {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      await (page ?? this.page).screenshot({ path: file, timeout: 10_000 });
      return file;
    } catch {
      return undefined;
    }
  }

  // ------------------------------------------------------------------ smoke-test driver hooks

  /** Exposes codeAutomationExit/codeAutomationLog on the context once and routes them to the given handlers. */
  async setAutomationHandlers(onExit: ExitHandler | undefined, onLog: LogHandler | undefined): Promise<void> {
    this.exitHandler = onExit;
    this.logHandler = onLog;
    if (this.automationExposed) return;
    this.automationExposed = true;
    await this.context.exposeFunction('codeAutomationExit', (code: number) => this.exitHandler?.(code));
    await this.context.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => this.logHandler?.(type, args));
  }

  /** Uses `page` as the workbench page from now on. */
  adoptPage(page: Page): void {
    this.currentPage = page;
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
    if (this.ownsProfile) {
      fs.rmSync(this.profileDir, { recursive: true, force: true });
      unregisterTempDir(this.profileDir);
    }
  }
}
