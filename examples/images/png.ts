// Pictures the examples write: grids of greyscale images as PNG (encoded by
// fast-png, a dev dependency: the library itself stays dependency-free) and
// scatter plots as SVG text. Node only (writes files).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { encode } from "fast-png";

export interface Grid {
  /** Images one after another, each h x w values. */
  images: ArrayLike<number>;
  count: number;
  h: number;
  w: number;
  /** Images per row of the grid. */
  columns: number;
  /** Each image scaled from its own [min, max] (dreams range freely) instead of clamped from [0, 1]. */
  normalise?: boolean;
  /** Pixels of each image (default 2: 28 x 28 digits shown at 56 x 56). */
  zoom?: number;
}

/** The grid as 8-bit greyscale PNG bytes, with a 2-pixel grey gap between images. */
export function gridPng(g: Grid): Uint8Array {
  const { images, count, h, w, columns, normalise = false, zoom = 2 } = g;
  const gap = 2;
  const rows = Math.ceil(count / columns);
  const width = columns * (w * zoom + gap) + gap;
  const height = rows * (h * zoom + gap) + gap;
  const data = new Uint8Array(width * height).fill(128);
  for (let k = 0; k < count; k++) {
    let lo = 0;
    let hi = 1;
    if (normalise) {
      lo = Infinity;
      hi = -Infinity;
      for (let i = 0; i < h * w; i++) (lo = Math.min(lo, images[k * h * w + i]!)), (hi = Math.max(hi, images[k * h * w + i]!));
      if (hi <= lo) hi = lo + 1;
    }
    const [top, left] = [gap + Math.floor(k / columns) * (h * zoom + gap), gap + (k % columns) * (w * zoom + gap)];
    for (let y = 0; y < h * zoom; y++) {
      for (let x = 0; x < w * zoom; x++) {
        const v = (images[k * h * w + Math.floor(y / zoom) * w + Math.floor(x / zoom)]! - lo) / (hi - lo);
        data[(top + y) * width + left + x] = Math.round(255 * Math.min(1, Math.max(0, v)));
      }
    }
  }
  return encode({ width, height, data, depth: 8, channels: 1 });
}

/** Writes bytes or text to a file, making its folder first. */
export function writeOut(path: string, content: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

export interface ScatterPanel {
  title: string;
  points: ArrayLike<number>;
  /** Class of each point (colours it), or none. */
  labels?: ArrayLike<number>;
  /** Points drawn on top as hollow rings (the modes of a mixture, say). */
  marks?: ArrayLike<number>;
}

const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

/** Panels of 2-D points side by side as one SVG, each over the box [-extent, extent]^2 (or the points' own range). */
export function scatterSvg(panels: readonly ScatterPanel[], options: { extent?: number; size?: number; legend?: boolean } = {}): string {
  const size = options.size ?? 240;
  const pad = 24;
  const out: string[] = [];
  const width = panels.length * (size + pad) + pad;
  const height = size + 2 * pad + (options.legend ? 20 : 0);
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  panels.forEach((panel, k) => {
    const n = panel.points.length / 2;
    // the square [cx - half, cx + half] x [cy - half, cy + half]: the given extent about 0, or around the points' own range
    let [cx, cy, half] = [0, 0, options.extent ?? 1];
    if (options.extent === undefined && n > 0) {
      const lo = [Infinity, Infinity];
      const hi = [-Infinity, -Infinity];
      for (let i = 0; i < 2 * n; i++) (lo[i % 2] = Math.min(lo[i % 2]!, panel.points[i]!)), (hi[i % 2] = Math.max(hi[i % 2]!, panel.points[i]!));
      [cx, cy] = [(lo[0]! + hi[0]!) / 2, (lo[1]! + hi[1]!) / 2];
      half = Math.max(1e-9, (1.05 * Math.max(hi[0]! - lo[0]!, hi[1]! - lo[1]!)) / 2);
    }
    const x0 = pad + k * (size + pad);
    const to = (v: number, flip: boolean): number => (flip ? pad + size * (1 - (v - cy + half) / (2 * half)) : x0 + (size * (v - cx + half)) / (2 * half));
    out.push(`<rect x="${x0}" y="${pad}" width="${size}" height="${size}" fill="none" stroke="#999"/>`);
    out.push(`<text x="${x0 + size / 2}" y="${pad - 8}" text-anchor="middle">${escape(panel.title)}</text>`);
    for (let i = 0; i < n; i++) {
      const colour = panel.labels ? PALETTE[panel.labels[i]! % PALETTE.length] : "#1f77b4";
      out.push(`<circle cx="${to(panel.points[2 * i]!, false).toFixed(1)}" cy="${to(panel.points[2 * i + 1]!, true).toFixed(1)}" r="1.5" fill="${colour}" fill-opacity="0.6"/>`);
    }
    const marks = panel.marks ?? [];
    for (let i = 0; i < marks.length / 2; i++) {
      out.push(`<circle cx="${to(marks[2 * i]!, false).toFixed(1)}" cy="${to(marks[2 * i + 1]!, true).toFixed(1)}" r="5" fill="none" stroke="#d62728" stroke-width="1.5"/>`);
    }
  });
  if (options.legend) {
    PALETTE.forEach((c, d) => {
      out.push(`<circle cx="${pad + 6 + d * 40}" cy="${height - 14}" r="5" fill="${c}"/><text x="${pad + 14 + d * 40}" y="${height - 10}">${d}</text>`);
    });
  }
  out.push("</svg>");
  return out.join("\n");
}

const escape = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
