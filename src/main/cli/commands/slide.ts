/**
 * `gliofuse slide …`: inspect a slide file directly (no database): info, thumbnail, tissue mask, tile grid.
 * OpenSlide runs in a forked slide worker, so a crash on a malformed file ends the command with a clear error
 * instead of killing the CLI.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { badInput } from '../../../shared/errors.ts';
import { SlideEngine } from '../../wsi/engine.ts';
import { allowListProperties } from '../../wsi/slide-meta.ts';
import { computeTileGrid, tilesCsv } from '../../wsi/tiler.ts';
import { qualityFlags } from '../../wsi/quality.ts';
import { describeThreshold } from '../../wsi/tissue-threshold.ts';
import type { TissueParamsInput } from '../../../shared/contract/slides.ts';

function num(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw badInput(`${flag} must be a number (got "${v}").`);
    return n;
  };
}

function outPath(p: string, flag = '--out'): string {
  const abs = path.resolve(p);
  const dir = path.dirname(abs);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw badInput(`${flag}: folder ${dir} does not exist.`);
  if (fs.existsSync(abs) && fs.statSync(abs).isDirectory()) throw badInput(`${flag}: ${abs} is a folder; give a file name.`);
  return abs;
}

async function withEngine<T>(fn: (e: SlideEngine) => Promise<T>): Promise<T> {
  const engine = new SlideEngine({ workers: 1 });
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

interface TissueOpts { method?: string; threshold?: number; median?: number; close?: number; minObject?: number; minHole?: number; maxHoles?: number; maxDim?: number }

function tissueParams(o: TissueOpts): TissueParamsInput {
  if (o.method !== undefined && o.method !== 'otsu' && o.method !== 'fixed') throw badInput(`--method must be otsu or fixed (got "${o.method}").`);
  const p: TissueParamsInput = {};
  if (o.method) p.method = o.method as 'otsu' | 'fixed';
  if (o.threshold !== undefined) { p.threshold = o.threshold; p.method ??= 'fixed'; }
  if (o.median !== undefined) p.medianSize = o.median;
  if (o.close !== undefined) p.closeSize = o.close;
  if (o.minObject !== undefined) p.minObjectArea = o.minObject;
  if (o.minHole !== undefined) p.minHoleArea = o.minHole;
  if (o.maxHoles !== undefined) p.maxHoles = o.maxHoles;
  if (o.maxDim !== undefined) p.maxDimension = o.maxDim;
  return p;
}

function addTissueOptions(c: Command): Command {
  return c
    .option('--method <otsu|fixed>', 'saturation threshold: Otsu (default) or fixed')
    .option('--threshold <0-255>', 'saturation threshold; alone it implies --method fixed, with --method otsu it caps Otsu\'s (default 20)', num('--threshold'))
    .option('--median <k>', 'median filter window, odd (default 7)', num('--median'))
    .option('--close <k>', 'closing kernel in mask pixels (default 4)', num('--close'))
    .option('--min-object <patches>', 'smallest tissue object, in 512×512 level-0 patches (default 1)', num('--min-object'))
    .option('--min-hole <patches>', 'smallest hole kept, in 512×512 level-0 patches (default 1)', num('--min-hole'))
    .option('--max-holes <n>', 'holes kept per object (default 8)', num('--max-holes'))
    .option('--max-dim <px>', 'longest side of the image the mask is computed on (default 1536)', num('--max-dim'));
}

export function registerSlideCommands(program: Command, cli: CliContext): void {
  const slide = program.command('slide').description('whole-slide image files (OpenSlide): info, thumbnail, tissue, tiles');

  slide.command('info')
    .description('vendor, dimensions, levels, resolution, objective, associated images, quickhash')
    .argument('<path>', 'slide file')
    .action(async (file: string) => withEngine(async (e) => {
      const i = await e.info(file);
      const out = {
        file: i.path,
        size_bytes: i.sizeBytes,
        vendor: i.vendor,
        width: i.width,
        height: i.height,
        levels: i.levels.map((l) => ({ width: l.width, height: l.height, downsample: l.downsample })),
        mpp_x: i.mppX,
        mpp_y: i.mppY,
        mpp_source: i.mppSource,
        objective_power: i.objectivePower,
        associated_images: i.associatedImages.map((a) => a.name),
        quickhash: i.quickhash,
        bounds: i.bounds,
        openslide_version: i.openslideVersion,
        properties: allowListProperties(i.properties),
      };
      cli.out(out, () => [
        `${i.fileName}: ${i.vendor}, ${i.width} × ${i.height} px, ${i.levels.length} level(s)`,
        `  levels: ${i.levels.map((l) => `${l.width}×${l.height} (×${+l.downsample.toFixed(3)})`).join(', ')}`,
        `  µm/px: ${i.mppX === null ? 'unknown' : `${i.mppX.toFixed(4)} × ${(i.mppY ?? i.mppX).toFixed(4)} (${i.mppSource})`}; objective: ${i.objectivePower ?? 'unknown'}`,
        `  associated images: ${i.associatedImages.map((a) => a.name).join(', ') || 'none'}`,
        `  quickhash: ${i.quickhash ?? 'none'}`,
      ].join('\n'));
    }));

  slide.command('thumbnail')
    .description('write a thumbnail (PNG, or JPEG when --out ends in .jpg/.jpeg)')
    .argument('<path>', 'slide file')
    .requiredOption('--out <file>', 'output image')
    .option('--max <px>', 'longest side (default 1024)', num('--max'))
    .action(async (file: string, o: { out: string; max?: number }) => {
      const max = o.max ?? 1024;
      if (!Number.isInteger(max) || max < 16 || max > 8192) throw badInput('--max must be a whole number between 16 and 8192.');
      const out = outPath(o.out);
      const format = /\.jpe?g$/i.test(out) ? 'jpeg' : 'png';
      await withEngine(async (e) => {
        const t = await e.thumbnail(file, max, format);
        fs.writeFileSync(out, t.data);
        cli.out({ out, width: t.width, height: t.height, format, level: t.level }, `wrote ${out} (${t.width} × ${t.height})`);
      });
    });

  addTissueOptions(slide.command('tissue')
    .description('tissue mask (PNG) with tissue fraction, area in mm² and the parameters used')
    .argument('<path>', 'slide file')
    .requiredOption('--out <mask.png>', 'mask image to write (white = tissue)'))
    .action(async (file: string, o: TissueOpts & { out: string }) => {
      const out = outPath(o.out);
      const params = tissueParams(o);
      await withEngine(async (e) => {
        const info = await e.info(file);
        const t = await e.tissue(file, params);
        fs.writeFileSync(out, t.maskPng);
        const flags = qualityFlags(info, t);
        cli.out({
          out, tissue_fraction: t.tissueFraction, tissue_area_mm2: t.tissueAreaMm2, threshold: t.threshold, threshold_rule: t.thresholdChoice.rule, otsu_threshold: t.thresholdChoice.otsu, objects: t.objects, holes: t.holes,
          mask_width: t.width, mask_height: t.height, downsample_x: t.downsampleX, downsample_y: t.downsampleY, source_level: t.sourceLevel,
          parameters: t.params, quality_flags: flags,
        }, () => `tissue ${(t.tissueFraction * 100).toFixed(1)} %${t.tissueAreaMm2 === null ? '' : `, ${t.tissueAreaMm2.toFixed(2)} mm²`} (${describeThreshold(t.thresholdChoice)}); mask ${t.width} × ${t.height} written to ${out}${flags.length ? `\n${flags.map((f) => `  ${f.severity}: ${f.message}`).join('\n')}` : ''}`);
      });
    });

  addTissueOptions(slide.command('tiles')
    .description('the tile grid the model uses: count, level read, effective µm/px (optionally the tiles as CSV)')
    .argument('<path>', 'slide file')
    .option('--mpp <um>', 'target µm/px (default 0.5)', num('--mpp'))
    .option('--size <px>', 'tile side in pixels (default 224)', num('--size'))
    .option('--min-tissue <0-1>', 'minimum tissue fraction per tile (default 0.5)', num('--min-tissue'))
    .option('--slide-mpp <um>', "the slide's own µm/px when the file lacks it", num('--slide-mpp'))
    .option('--out <tiles.csv>', 'write the kept tiles (level-0 x, y, width, height, tissue fraction)'))
    .action(async (file: string, o: TissueOpts & { mpp?: number; size?: number; minTissue?: number; slideMpp?: number; out?: string }) => {
      const out = o.out ? outPath(o.out) : null;
      const params = tissueParams(o);
      await withEngine(async (e) => {
        const info = await e.info(file);
        const gridParams = { ...(o.mpp !== undefined ? { mpp: o.mpp } : {}), ...(o.size !== undefined ? { size: o.size } : {}), ...(o.minTissue !== undefined ? { minTissue: o.minTissue } : {}), ...(o.slideMpp !== undefined ? { slideMpp: o.slideMpp } : {}) };
        // Validate the grid (MPP rule) before the slower tissue step.
        computeTileGrid(info, null, gridParams);
        const t = await e.tissue(file, params, o.slideMpp !== undefined ? { mppX: o.slideMpp, mppY: o.slideMpp } : undefined);
        const g = computeTileGrid(info, t, gridParams);
        if (out) fs.writeFileSync(out, tilesCsv(g));
        for (const w of g.warnings) process.stderr.write(`gliofuse: warning: ${w}\n`);
        cli.out({
          tile_count: g.tiles.length, level: g.level, level_downsample: g.levelDownsample, effective_mpp: g.effectiveMpp,
          slide_mpp: g.slideMpp, mpp_source: g.mppSource, tile_size_l0: g.tileWidthL0, read_size: g.readWidth,
          grid_cols: g.cols, grid_rows: g.rows, tissue_fraction: t.tissueFraction, warnings: g.warnings,
          parameters: { ...g.params, tissue: t.params }, out,
        }, `${g.tiles.length} tiles of ${g.params.size} px at ${g.effectiveMpp.toFixed(4)} µm/px (level ${g.level}, ${g.tileWidthL0} level-0 px each, ${g.cols} × ${g.rows} grid)${out ? `; written to ${out}` : ''}`);
      });
    });
}
