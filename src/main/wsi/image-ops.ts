/**
 * The few image operations tissue detection needs, on typed arrays (8-bit single channel, row-major). Written
 * for thumbnails of 1–4 Mpx: each is linear in the pixel count (the median uses a sliding histogram).
 */

/** HSV saturation as OpenCV computes it for 8-bit RGB: 255·(max−min)/max, 0 for black. */
export function saturationChannel(rgb: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels);
  for (let i = 0, j = 0; i < pixels; i++, j += 3) {
    const r = rgb[j] as number, g = rgb[j + 1] as number, b = rgb[j + 2] as number;
    const mx = r > g ? (r > b ? r : b) : g > b ? g : b;
    const mn = r < g ? (r < b ? r : b) : g < b ? g : b;
    out[i] = mx === 0 ? 0 : Math.round((255 * (mx - mn)) / mx);
  }
  return out;
}

/** HSV value (brightness) = max(R,G,B). */
export function valueChannel(rgb: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels);
  for (let i = 0, j = 0; i < pixels; i++, j += 3) {
    const r = rgb[j] as number, g = rgb[j + 1] as number, b = rgb[j + 2] as number;
    out[i] = r > g ? (r > b ? r : b) : g > b ? g : b;
  }
  return out;
}

/**
 * Median filter with a k×k window (k odd), edges replicated (as OpenCV's medianBlur). Huang's sliding histogram:
 * per pixel k additions and k removals plus a short walk from the previous median.
 */
export function medianFilter(src: Uint8Array, width: number, height: number, k: number): Uint8Array {
  if (k <= 1) return src.slice();
  if (k % 2 === 0) throw new Error('median window must be odd');
  const r = k >> 1;
  const out = new Uint8Array(width * height);
  const hist = new Int32Array(256);
  const half = (k * k) >> 1; // the median is the (half+1)-th smallest
  const rows = new Int32Array(k);
  const last = width - 1;
  for (let y = 0; y < height; y++) {
    for (let d = 0; d < k; d++) {
      const yy = y + d - r;
      rows[d] = (yy < 0 ? 0 : yy >= height ? height - 1 : yy) * width;
    }
    hist.fill(0);
    for (let d = 0; d < k; d++) {
      const row = rows[d] as number;
      for (let dx = -r; dx <= r; dx++) hist[src[row + (dx < 0 ? 0 : dx > last ? last : dx)] as number]!++;
    }
    // Median for x = 0, then track it while sliding; `below` = count of values < med.
    let med = 0;
    let below = 0;
    while (below + (hist[med] as number) <= half) { below += hist[med] as number; med++; }
    const orow = y * width;
    out[orow] = med;
    for (let x = 1; x < width; x++) {
      const xo = x - r - 1 < 0 ? 0 : x - r - 1;
      const xi = x + r > last ? last : x + r;
      for (let d = 0; d < k; d++) {
        const row = rows[d] as number;
        const vo = src[row + xo] as number;
        const vi = src[row + xi] as number;
        if (vo === vi) continue;
        hist[vo]!--;
        if (vo < med) below--;
        hist[vi]!++;
        if (vi < med) below++;
      }
      while (below > half) { med--; below -= hist[med] as number; }
      while (below + (hist[med] as number) <= half) { below += hist[med] as number; med++; }
      out[orow + x] = med;
    }
  }
  return out;
}

/** Otsu's threshold over an 8-bit channel: the t that maximises between-class variance of {≤ t} and {> t}. */
export function otsuThreshold(values: Uint8Array): number {
  const hist = new Float64Array(256);
  for (let i = 0; i < values.length; i++) hist[values[i] as number]!++;
  const total = values.length;
  let sumAll = 0;
  for (let t = 0; t < 256; t++) sumAll += t * (hist[t] as number);
  let wB = 0, sumB = 0, best = 0, bestVar = -1;
  for (let t = 0; t < 256; t++) {
    wB += hist[t] as number;
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += t * (hist[t] as number);
    const mB = sumB / wB;
    const mF = (sumAll - sumB) / wF;
    const between = wB * wF * (mB - mF) * (mB - mF);
    if (between > bestVar) { bestVar = between; best = t; }
  }
  return best;
}

/** 1 where value > threshold (OpenCV THRESH_BINARY), else 0. */
export function thresholdAbove(values: Uint8Array, threshold: number): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = (values[i] as number) > threshold ? 1 : 0;
  return out;
}

/**
 * Binary dilation (any 1 in the window) or erosion (all 1 in the window) with a k-long window along rows, then
 * columns, by sliding counts (O(1) per pixel). Pixels outside the image do not count, as OpenCV's default border
 * for morphology. Anchor at the kernel centre.
 */
function morph(mask: Uint8Array, width: number, height: number, k: number, dilate: boolean): Uint8Array {
  const a = k >> 1;
  const tmp = new Uint8Array(mask.length);
  const out = new Uint8Array(mask.length);
  // Rows: window [x-a, x-a+k-1] clipped to the image.
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sum = 0;
    for (let xx = 0; xx < Math.min(width, k - a - 1); xx++) sum += mask[row + xx] as number;
    for (let x = 0; x < width; x++) {
      const add = x - a + k - 1;
      if (add < width) sum += mask[row + add] as number;
      const rem = x - a - 1;
      if (rem >= 0) sum -= mask[row + rem] as number;
      const len = Math.min(width - 1, add) - Math.max(0, x - a) + 1;
      tmp[row + x] = dilate ? (sum > 0 ? 1 : 0) : (sum === len ? 1 : 0);
    }
  }
  // Columns, walked row by row with one running count per column.
  const col = new Int32Array(width);
  for (let yy = 0; yy < Math.min(height, k - a - 1); yy++) {
    const row = yy * width;
    for (let x = 0; x < width; x++) col[x]! += tmp[row + x] as number;
  }
  for (let y = 0; y < height; y++) {
    const add = y - a + k - 1;
    const rem = y - a - 1;
    if (add < height) { const row = add * width; for (let x = 0; x < width; x++) col[x]! += tmp[row + x] as number; }
    if (rem >= 0) { const row = rem * width; for (let x = 0; x < width; x++) col[x]! -= tmp[row + x] as number; }
    const len = Math.min(height - 1, add) - Math.max(0, y - a) + 1;
    const orow = y * width;
    for (let x = 0; x < width; x++) {
      const c = col[x] as number;
      out[orow + x] = dilate ? (c > 0 ? 1 : 0) : (c === len ? 1 : 0);
    }
  }
  return out;
}

/** Morphological closing (dilate, then erode) with a k×k square: bridges gaps narrower than k. */
export function closing(mask: Uint8Array, width: number, height: number, k: number): Uint8Array {
  if (k <= 1) return mask.slice();
  return morph(morph(mask, width, height, k, true), width, height, k, false);
}

export function dilate(mask: Uint8Array, width: number, height: number, k: number): Uint8Array {
  return morph(mask, width, height, k, true);
}
export function erode(mask: Uint8Array, width: number, height: number, k: number): Uint8Array {
  return morph(mask, width, height, k, false);
}

/**
 * Labels connected components of pixels equal to `value` (8-connected for foreground, 4-connected for
 * background, the usual dual pair) with a two-pass union-find. Returns labels 1..n (0 = other value), per-label
 * sizes (index = label), whether each touches the image border, and each one's first pixel in raster order.
 */
export function labelComponents(mask: Uint8Array, width: number, height: number, value: 0 | 1): { labels: Int32Array; sizes: number[]; touchesBorder: boolean[]; firstPixel: number[] } {
  const n = mask.length;
  const labels = new Int32Array(n);
  let parent = new Int32Array(1024);
  let next = 1;
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== r) r = parent[r] as number;
    while (parent[x] !== r) { const nx = parent[x] as number; parent[x] = r; x = nx; }
    return r;
  };
  const union = (a: number, b: number): number => {
    const ra = find(a), rb = find(b);
    if (ra === rb) return ra;
    if (ra < rb) { parent[rb] = ra; return ra; }
    parent[ra] = rb;
    return rb;
  };
  const eight = value === 1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const p = row + x;
      if (mask[p] !== value) continue;
      let l = 0;
      if (x > 0 && mask[p - 1] === value) l = labels[p - 1] as number;
      if (y > 0) {
        const up = p - width;
        if (mask[up] === value) { const u = labels[up] as number; l = l ? union(l, u) : u; }
        if (eight) {
          if (x > 0 && mask[up - 1] === value) { const u = labels[up - 1] as number; l = l ? union(l, u) : u; }
          if (x < width - 1 && mask[up + 1] === value) { const u = labels[up + 1] as number; l = l ? union(l, u) : u; }
        }
      }
      if (!l) {
        if (next >= parent.length) { const np = new Int32Array(parent.length * 2); np.set(parent); parent = np; }
        parent[next] = next;
        l = next++;
      }
      labels[p] = l;
    }
  }
  // Second pass: roots -> consecutive labels in raster order of first appearance.
  const compact = new Int32Array(next);
  const sizes: number[] = [0];
  const touches: boolean[] = [false];
  const first: number[] = [-1];
  let count = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const edgeRow = y === 0 || y === height - 1;
    for (let x = 0; x < width; x++) {
      const p = row + x;
      const l = labels[p] as number;
      if (!l) continue;
      const root = find(l);
      let c = compact[root] as number;
      if (!c) { c = ++count; compact[root] = c; sizes.push(0); touches.push(false); first.push(p); }
      labels[p] = c;
      sizes[c]!++;
      if (edgeRow || x === 0 || x === width - 1) touches[c] = true;
    }
  }
  return { labels, sizes, touchesBorder: touches, firstPixel: first };
}

/**
 * CLAM-style contour filtering on a mask: drop tissue objects smaller than `minObject` px; fill holes smaller
 * than `minHole` px, and keep at most `maxHoles` (the largest) per object. Returns the new mask and object count.
 */
export function filterObjectsAndHoles(mask: Uint8Array, width: number, height: number, minObject: number, minHole: number, maxHoles: number): { mask: Uint8Array; objects: number; holes: number } {
  const out = mask.slice();
  const fg = labelComponents(mask, width, height, 1);
  const keepObj = fg.sizes.map((s, i) => i > 0 && s >= minObject);
  for (let i = 0; i < out.length; i++) {
    const l = fg.labels[i] as number;
    if (l > 0 && !keepObj[l]) out[i] = 0;
  }
  // Holes: background components that do not reach the image border, found after small objects are gone.
  const bg = labelComponents(out, width, height, 0);
  const byParent = new Map<number, { label: number; size: number }[]>();
  for (let l = 1; l < bg.sizes.length; l++) {
    if (bg.touchesBorder[l]) continue;
    // The pixel above a hole's first (top-left) pixel is on its outer rim, i.e. in the enclosing object.
    const p = bg.firstPixel[l] as number;
    const parent = p >= width ? (fg.labels[p - width] as number) : 0;
    const list = byParent.get(parent) ?? [];
    list.push({ label: l, size: bg.sizes[l] as number });
    byParent.set(parent, list);
  }
  const fill = new Uint8Array(bg.sizes.length);
  let holesKept = 0;
  for (const list of byParent.values()) {
    list.sort((a, b) => b.size - a.size);
    list.forEach((h, idx) => {
      if (h.size < minHole || idx >= maxHoles) fill[h.label] = 1;
      else holesKept++;
    });
  }
  for (let i = 0; i < out.length; i++) {
    const l = bg.labels[i] as number;
    if (l > 0 && fill[l]) out[i] = 1;
  }
  return { mask: out, objects: keepObj.filter(Boolean).length, holes: holesKept };
}

/** Summed-area table of a 0/1 mask ((w+1)×(h+1)), for O(1) "how much tissue in this rectangle". */
export function integralImage(mask: Uint8Array, width: number, height: number): Float64Array {
  const W = width + 1;
  const ii = new Float64Array(W * (height + 1));
  for (let y = 0; y < height; y++) {
    let rowSum = 0;
    for (let x = 0; x < width; x++) {
      rowSum += mask[y * width + x] as number;
      ii[(y + 1) * W + x + 1] = (ii[y * W + x + 1] as number) + rowSum;
    }
  }
  return ii;
}

/** Fraction of mask pixels set within [x0,x1)×[y0,y1) (mask pixel coordinates, fractional edges weighted). */
export function rectFraction(ii: Float64Array, width: number, height: number, x0: number, y0: number, x1: number, y1: number): number {
  const W = width + 1;
  // Sample the summed-area table bilinearly so a tile smaller than a mask pixel still gets a sensible value.
  const S = (x: number, y: number) => {
    x = Math.min(Math.max(x, 0), width);
    y = Math.min(Math.max(y, 0), height);
    const xi = Math.floor(x), yi = Math.floor(y);
    const fx = x - xi, fy = y - yi;
    const at = (a: number, b: number) => ii[Math.min(b, height) * W + Math.min(a, width)] as number;
    const top = at(xi, yi) * (1 - fx) + at(xi + 1, yi) * fx;
    const bot = at(xi, yi + 1) * (1 - fx) + at(xi + 1, yi + 1) * fx;
    return top * (1 - fy) + bot * fy;
  };
  const area = (Math.min(x1, width) - Math.max(x0, 0)) * (Math.min(y1, height) - Math.max(y0, 0));
  if (area <= 0) return 0;
  const sum = S(x1, y1) - S(x0, y1) - S(x1, y0) + S(x0, y0);
  return Math.min(1, Math.max(0, sum / area));
}
