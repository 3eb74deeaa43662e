/** A hand-written SVG line chart: cost per call against cache size, log-scale axes. */
export interface Series {
  name: string;
  color: string;
  dash?: string;
  points: Array<{ x: number; y: number }>;
}

export interface Panel {
  title: string;
  yLabel: string;
  series: Series[];
}

const W = 460, H = 340, M = { left: 62, right: 16, top: 36, bottom: 48 };

export function chartSvg(title: string, subtitle: string, panels: Panel[]): string {
  const width = W * panels.length;
  const height = H + 70;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`);
  parts.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  parts.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="600">${esc(title)}</text>`);
  parts.push(`<text x="${width / 2}" y="38" text-anchor="middle" fill="#555">${esc(subtitle)}</text>`);
  panels.forEach((panel, i) => parts.push(panelSvg(panel, i * W, 44)));
  // legend (the series of the first panel)
  const legend = panels[0]?.series ?? [];
  const itemWidth = (s: Series): number => 32 + 6.8 * s.name.length + 28;
  let x = (width - legend.reduce((sum, s) => sum + itemWidth(s), 0)) / 2;
  legend.forEach((s) => {
    const y = height - 14;
    parts.push(`<line x1="${x}" y1="${y - 4}" x2="${x + 26}" y2="${y - 4}" stroke="${s.color}" stroke-width="3"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`);
    parts.push(`<text x="${x + 32}" y="${y}">${esc(s.name)}</text>`);
    x += itemWidth(s);
  });
  parts.push(`</svg>`);
  return parts.join("\n");
}

function panelSvg(panel: Panel, ox: number, oy: number): string {
  const all = panel.series.flatMap((s) => s.points).filter((p) => p.y > 0 && Number.isFinite(p.y));
  if (all.length === 0) return "";
  const xs = all.map((p) => p.x), ys = all.map((p) => p.y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [10 ** Math.floor(Math.log10(Math.min(...ys))), 10 ** Math.ceil(Math.log10(Math.max(...ys)))];
  const pw = W - M.left - M.right, ph = H - M.top - M.bottom;
  const lx = (x: number): number => ox + M.left + (x1 === x0 ? pw / 2 : ((Math.log10(x) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0))) * pw);
  const ly = (y: number): number => oy + M.top + ph - ((Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0) || 1)) * ph;
  const out: string[] = [];
  out.push(`<text x="${ox + M.left + pw / 2}" y="${oy + 22}" text-anchor="middle" font-size="13" font-weight="600">${esc(panel.title)}</text>`);
  // grid: decades on y, the measured sizes on x
  for (let e = Math.log10(y0); e <= Math.log10(y1) + 1e-9; e++) {
    const y = ly(10 ** e);
    out.push(`<line x1="${ox + M.left}" y1="${y}" x2="${ox + M.left + pw}" y2="${y}" stroke="#e3e3e3"/>`);
    out.push(`<text x="${ox + M.left - 6}" y="${y + 4}" text-anchor="end" fill="#444">${fmtMs(10 ** e)}</text>`);
  }
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    out.push(`<line x1="${lx(x)}" y1="${oy + M.top}" x2="${lx(x)}" y2="${oy + M.top + ph}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${lx(x)}" y="${oy + M.top + ph + 16}" text-anchor="middle" fill="#444">${x}</text>`);
  }
  out.push(`<rect x="${ox + M.left}" y="${oy + M.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  out.push(`<text x="${ox + M.left + pw / 2}" y="${oy + M.top + ph + 34}" text-anchor="middle">accounts in the cache (3 access tokens each, log scale)</text>`);
  out.push(`<text transform="translate(${ox + 16} ${oy + M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(panel.yLabel)}</text>`);
  for (const s of panel.series) {
    const pts = s.points.filter((p) => p.y > 0 && Number.isFinite(p.y));
    if (pts.length === 0) continue;
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2.5"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""} points="${pts.map((p) => `${lx(p.x).toFixed(1)},${ly(p.y).toFixed(1)}`).join(" ")}"/>`);
    for (const p of pts) {
      out.push(`<circle cx="${lx(p.x).toFixed(1)}" cy="${ly(p.y).toFixed(1)}" r="3.5" fill="${s.color}"><title>${esc(s.name)}: ${p.x} accounts, ${fmtMs(p.y)}</title></circle>`);
    }
  }
  return out.join("\n");
}

function fmtMs(ms: number): string {
  if (ms >= 1000) return `${ms / 1000} s`;
  if (ms >= 1) return `${ms} ms`;
  return `${Math.round(ms * 1000)} µs`;
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
