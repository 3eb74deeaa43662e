// README screenshots taken by the host journeys from the real workbench. Off unless
// MSAL_HOST_SCREENSHOTS_DIR is set (scripts/screenshots.sh sets it to media/), so the normal test
// run never rewrites tracked files.
import * as fs from 'fs';
import * as path from 'path';
import type { Locator, Page } from 'playwright-core';

/** Where README screenshots go, or undefined when they are not wanted in this run. */
export function readmeShotsDir(): string | undefined {
  const dir = process.env.MSAL_HOST_SCREENSHOTS_DIR;
  return dir ? path.resolve(dir) : undefined;
}

/** The viewport the README screenshots are taken at. */
export const readmeViewport = { width: 1280, height: 800 };

export interface ReadmeShotOptions {
  /** Pixels added around the union of the regions. Default 16. */
  pad?: number;
  /** Extra rectangle (page coordinates) to include, e.g. to keep some context around a menu. */
  include?: { x: number; y: number; width: number; height: number };
  /** Minimum size of the crop, grown around the regions' centre (keeps tiny crops readable). */
  minSize?: { width: number; height: number };
}

/**
 * Saves `<dir>/<name>.png`: the page cropped to the union of the regions' bounding boxes (plus
 * padding), or the whole viewport when no region is visible. No-op (returns undefined) unless
 * MSAL_HOST_SCREENSHOTS_DIR is set. Throws when a wanted screenshot cannot be taken, so the
 * screenshot run fails loudly instead of leaving a stale picture in the README.
 */
export async function readmeShot(page: Page, name: string, regions: Locator[], opts: ReadmeShotOptions = {}): Promise<string | undefined> {
  const dir = readmeShotsDir();
  if (!dir) return undefined;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  const viewport = page.viewportSize() ?? readmeViewport;
  const boxes = [];
  for (const r of regions) {
    const box = await r.boundingBox({ timeout: 5000 }).catch(() => null);
    if (box && box.width > 0 && box.height > 0) boxes.push(box);
  }
  if (opts.include) boxes.push(opts.include);
  // Let animations (menus fading in, toasts sliding in) settle.
  await page.waitForTimeout(400);
  if (boxes.length === 0) {
    await page.screenshot({ path: file });
    return file;
  }
  const pad = opts.pad ?? 16;
  let x0 = Math.min(...boxes.map((b) => b.x)) - pad;
  let y0 = Math.min(...boxes.map((b) => b.y)) - pad;
  let x1 = Math.max(...boxes.map((b) => b.x + b.width)) + pad;
  let y1 = Math.max(...boxes.map((b) => b.y + b.height)) + pad;
  if (opts.minSize) {
    const cx = (x0 + x1) / 2;
    const cy = (y0 + y1) / 2;
    if (x1 - x0 < opts.minSize.width) [x0, x1] = [cx - opts.minSize.width / 2, cx + opts.minSize.width / 2];
    if (y1 - y0 < opts.minSize.height) [y0, y1] = [cy - opts.minSize.height / 2, cy + opts.minSize.height / 2];
  }
  x0 = Math.max(0, Math.floor(x0));
  y0 = Math.max(0, Math.floor(y0));
  x1 = Math.min(viewport.width, Math.ceil(x1));
  y1 = Math.min(viewport.height, Math.ceil(y1));
  await page.screenshot({ path: file, clip: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } });
  return file;
}
