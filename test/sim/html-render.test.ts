/**
 * Renders the HTML report in headless Chromium (Debian's `chromium`, installed by .ci/run) and
 * checks the screenshot: the chart regions are drawn (non-white pixels), and the heatmap of a FAIL
 * run has red cells while a PASS run has none. Skips loudly when /usr/bin/chromium is missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/sim/report-json.js';
import { HTML_LAYOUT, renderHtml } from '../../src/sim/report-html.js';
import { runStress } from '../../src/sim/stress.js';
import { smallOptions } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const have = existsSync(CHROMIUM);
if (!have) console.warn(`html-render.test.ts: SKIPPED — ${CHROMIUM} is missing (CI installs it: apt-get install chromium)`);

/** A minimal PNG reader: 8-bit RGB/RGBA, non-interlaced (what Chromium writes). */
function decodePng(buf: Buffer): { width: number; height: number; rgba: Uint8Array } {
  if (buf.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let pos = 8;
  let width = 0;
  let height = 0;
  let colorType = 0;
  const idat: Buffer[] = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('ascii', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[12] !== 0) throw new Error('unsupported PNG (bit depth / interlace)');
      colorType = data[9]!;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  const bpp = colorType === 6 ? 4 : colorType === 2 ? 3 : 0;
  if (bpp === 0) throw new Error(`unsupported PNG colour type ${colorType}`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const px = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? px[y * stride + x - bpp]! : 0;
      const b = y > 0 ? px[(y - 1) * stride + x]! : 0;
      const c = x >= bpp && y > 0 ? px[(y - 1) * stride + x - bpp]! : 0;
      let v = line[x]!;
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      px[y * stride + x] = v & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba[i * 4] = px[i * bpp]!;
    rgba[i * 4 + 1] = px[i * bpp + 1]!;
    rgba[i * 4 + 2] = px[i * bpp + 2]!;
    rgba[i * 4 + 3] = bpp === 4 ? px[i * bpp + 3]! : 255;
  }
  return { width, height, rgba };
}

function screenshot(html: string): { width: number; height: number; rgba: Uint8Array } {
  const dir = mkdtempSync(join(tmpdir(), 'svirt-html-'));
  const page = join(dir, 'report.html');
  const png = join(dir, 'shot.png');
  writeFileSync(page, html);
  execFileSync(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${join(dir, 'profile')}`,
      `--screenshot=${png}`,
      '--window-size=1280,2000',
      `file://${page}`,
    ],
    { stdio: 'ignore', timeout: 90_000 },
  );
  return decodePng(readFileSync(png));
}

function count(img: { width: number; rgba: Uint8Array }, r: { x: number; y: number; w: number; h: number }, pred: (R: number, G: number, B: number) => boolean): number {
  let n = 0;
  for (let y = r.y; y < r.y + r.h; y++) {
    for (let x = r.x; x < r.x + r.w; x++) {
      const i = (y * img.width + x) * 4;
      if (pred(img.rgba[i]!, img.rgba[i + 1]!, img.rgba[i + 2]!)) n++;
    }
  }
  return n;
}

const nonWhite = (R: number, G: number, B: number): boolean => R < 235 || G < 235 || B < 235;
const red = (R: number, G: number, B: number): boolean => R > 200 && G < 60 && B < 60;

describe.skipIf(!have)('HTML report in headless Chromium', () => {
  it('draws the charts; breaches show up red in the heatmap of a FAIL run only', async () => {
    const pass = buildReport(await runStress(smallOptions()));
    const fail = buildReport(await runStress(smallOptions({ fault: ['duplicate-label'], guests: '6', ops: '200000' })));
    const L = HTML_LAYOUT;
    const shotPass = screenshot(renderHtml(pass));
    expect(shotPass.width).toBe(1280);
    for (const region of [L.throughput, L.latency, L.heatmap]) {
      // well beyond axes and labels: at least 2% of the region is drawn
      expect(count(shotPass, region, nonWhite)).toBeGreaterThan(region.w * region.h * 0.02);
    }
    expect(count(shotPass, L.heatmap, red)).toBe(0);
    const shotFail = screenshot(renderHtml(fail));
    expect(count(shotFail, L.heatmap, red)).toBeGreaterThan(20);
  });
});
