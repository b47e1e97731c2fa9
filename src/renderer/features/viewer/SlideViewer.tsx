/**
 * The slide viewer: OpenSeadragon filling the space, with a navigator, a µm scale bar, a magnification readout,
 * keyboard pan/zoom (arrows, +/-, 0 = fit), full screen, and a collapsible side panel with layers (tissue mask,
 * tile grid, attention heatmap — each with visibility and opacity, the heatmap with a threshold and a legend),
 * the slide's metadata, and its associated images (label/macro hidden until a pathologist or admin asks; audited).
 */
import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import OpenSeadragon from 'openseadragon';
import { call, errorMessage, tileUrl, transportKind } from '../../api.ts';
import type { ResponseOf } from '../../../shared/contract/index.ts';
import type { HeatmapGrid } from '../../../shared/analysis-result.ts';
import { Button, Facts } from '../../components/ui.tsx';
import { Icon } from '../../components/icons.tsx';
import { fmtBytes, fmtInt, shortHash } from '../../lib/format.ts';
import { fmtMag, imageZoomForMagnification, magnification, scaleBar, viridisCss } from './viewer-math.ts';
import { MagnificationControls } from './MagnificationControls.tsx';
import { colourMask, heatmapCanvas } from './viewer-canvas.ts';
import { PatchGallery, type PatchItem } from './PatchGallery.tsx';
import { TissueControls, thresholdRuleText } from './TissueControls.tsx';
import type { FocusRect } from './focus-rect.ts';

type SlideDetail = ResponseOf<'slides.get'>;
type Dzi = ResponseOf<'slides.dzi'>;
type Tissue = ResponseOf<'slides.tissue'>;
type TileGrid = ResponseOf<'slides.tileGrid'>;

/** Okabe–Ito colours (colour-blind safe) for the two geometric layers; the heatmap uses viridis. */
const TISSUE_RGB: [number, number, number] = [0, 158, 115];
const GRID_RGB: [number, number, number] = [230, 159, 0];

export interface HeatmapLayer {
  grid: HeatmapGrid;
  /** Where it came from, e.g. "analysis #4 · umeml-… 1.0.0". */
  source: string;
  /** The same analysis's top-attention patches (level-0 px), shown as a gallery that navigates the viewer. */
  topPatches: readonly PatchItem[];
}

export type { FocusRect } from './focus-rect.ts';

interface LayerState<T> {
  on: boolean;
  opacity: number;
  data: T | null;
  loading: boolean;
  error: string | null;
}

const initialLayer = <T,>(opacity: number): LayerState<T> => ({ on: false, opacity, data: null, loading: false, error: null });

function Slider({ label, value, onChange, min = 0, max = 1, step = 0.05, format }: { label: string; value: number; onChange: (v: number) => void; min?: number; max?: number; step?: number; format: (v: number) => string }) {
  const id = useId();
  return (
    <div className="slider">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="range" min={min} max={max} step={step} value={value} onChange={(e) => onChange(Number(e.target.value))} />
      <output htmlFor={id}>{format(value)}</output>
    </div>
  );
}

function LayerBox({ title, on, onToggle, busy, error, children, swatch }: { title: string; on: boolean; onToggle: (on: boolean) => void; busy?: boolean; error?: string | null; children?: ReactNode; swatch: ReactNode }) {
  const id = useId();
  return (
    <div className={`layer${on ? ' is-on' : ''}`}>
      <div className="layer-head">
        <input id={id} type="checkbox" checked={on} onChange={(e) => onToggle(e.target.checked)} aria-describedby={`${id}-state`} />
        <label htmlFor={id}>{swatch}{title}</label>
        <span id={`${id}-state`} className="layer-state muted" aria-live="polite">{busy ? 'computing…' : ''}</span>
      </div>
      {error && <div className="field-error">{error}</div>}
      {on && children && <div className="layer-body">{children}</div>}
    </div>
  );
}

function AssociatedImages({ slide, canSee }: { slide: SlideDetail; canSee: boolean }) {
  const [shown, setShown] = useState<Record<string, string>>({});
  const [confirming, setConfirming] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (slide.associatedImages.length === 0) return <p className="muted">This file has no label, macro or thumbnail images.</p>;

  const show = async (name: string) => {
    setBusy(true);
    setError(null);
    try {
      const img = await call('slides.associated', { id: slide.id, name });
      setShown((s) => ({ ...s, [name]: img.dataUrl }));
      setConfirming(null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="stack">
      {!canSee && <p className="muted">Label and macro images can show patient identifiers; only pathologists and administrators can open them.</p>}
      <ul className="assoc-list">
        {slide.associatedImages.map((a) => (
          <li key={a.name}>
            <div className="assoc-head">
              <span className="strong">{a.name}</span>
              <span className="muted">{a.width} × {a.height} px</span>
              {a.sensitive && <span className="phi-tag" title="May show patient identifiers">PHI</span>}
              {canSee && !shown[a.name] && confirming !== a.name && (
                <Button variant="ghost" icon="eye" onClick={() => (a.sensitive ? setConfirming(a.name) : void show(a.name))}>Show</Button>
              )}
              {shown[a.name] && <Button variant="ghost" onClick={() => setShown(({ [a.name]: _, ...rest }) => rest)}>Hide</Button>}
            </div>
            {confirming === a.name && (
              <div className="confirm" role="group" aria-label={`Show the ${a.name} image`}>
                <p>The {a.name} image may show the patient’s name or other identifiers. Opening it is recorded in the audit log under your name.</p>
                <div className="form-actions">
                  <Button variant="primary" busy={busy} onClick={() => void show(a.name)}>Show {a.name} (audited)</Button>
                  <Button variant="ghost" onClick={() => setConfirming(null)}>Cancel</Button>
                </div>
              </div>
            )}
            {shown[a.name] && <img className="assoc-img" src={shown[a.name]} alt={`${a.name} image of slide ${slide.fileName}`} />}
          </li>
        ))}
      </ul>
      {error && <div className="field-error" role="alert">{error}</div>}
    </div>
  );
}

export function SlideViewer({ slide, dzi, canSeeLabels, heatmap, focus, onFocus }: { slide: SlideDetail; dzi: Dzi; canSeeLabels: boolean; heatmap: HeatmapLayer | null; focus: FocusRect | null; onFocus?: (f: FocusRect) => void }) {
  const frameRef = useRef<HTMLDivElement>(null);
  const osdRef = useRef<HTMLDivElement>(null);
  const viewerRef = useRef<OpenSeadragon.Viewer | null>(null);
  const overlayRef = useRef<HTMLCanvasElement | null>(null);
  const maskItemRef = useRef<OpenSeadragon.TiledImage | null>(null);
  const [panelOpen, setPanelOpen] = useState(true);
  const [ready, setReady] = useState(false);
  // Tiles still arriving for the current view (OpenSeadragon's fully-loaded-change): a visible "Loading tiles…".
  const [tilesLoading, setTilesLoading] = useState(true);
  const showAtRef = useRef<((mag: number) => void) | null>(null);
  const [openError, setOpenError] = useState<string | null>(null);
  const [readout, setReadout] = useState<{ scale: { px: number; label: string } | null; mag: { value: number; estimated: boolean } | null; centre: { x: number; y: number } | null }>({ scale: null, mag: null, centre: null });
  const [tissue, setTissue] = useState<LayerState<Tissue>>(initialLayer(0.35));
  const [grid, setGrid] = useState<LayerState<TileGrid>>(initialLayer(0.8));
  const [heat, setHeat] = useState({ on: heatmap !== null, opacity: 0.55, threshold: 0 });
  const mpp = dzi.mppX ?? slide.mppX;

  // Current layer inputs for the draw callback (which OpenSeadragon calls outside React's render cycle).
  const drawState = useRef({ grid, heat, heatmap, focus, heatCanvas: null as HTMLCanvasElement | null });
  drawState.current.grid = grid;
  drawState.current.heat = heat;
  drawState.current.focus = focus;
  if (drawState.current.heatmap !== heatmap) {
    drawState.current.heatmap = heatmap;
    drawState.current.heatCanvas = null;
  }

  const draw = useCallback(() => {
    const v = viewerRef.current;
    const canvas = overlayRef.current;
    const item = v?.world.getItemAt(0);
    if (!v || !canvas || !item) return;
    const dpr = window.devicePixelRatio || 1;
    const w = v.canvas.clientWidth;
    const h = v.canvas.clientHeight;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const p0 = item.imageToViewerElementCoordinates(new OpenSeadragon.Point(0, 0));
    const p1 = item.imageToViewerElementCoordinates(new OpenSeadragon.Point(dzi.width, dzi.height));
    const sx = (p1.x - p0.x) / dzi.width;
    const sy = (p1.y - p0.y) / dzi.height;
    const s = drawState.current;

    if (s.heat.on && s.heatmap) {
      const g = s.heatmap.grid;
      s.heatCanvas ??= heatmapCanvas(g, s.heat.threshold);
      ctx.imageSmoothingEnabled = false;
      ctx.globalAlpha = s.heat.opacity;
      ctx.drawImage(s.heatCanvas, p0.x + g.originX * sx, p0.y + g.originY * sy, g.width * g.spacingX * sx, g.height * g.spacingY * sy);
      ctx.globalAlpha = 1;
    }
    if (s.grid.on && s.grid.data) {
      const g = s.grid.data;
      const tw = g.tileWidthL0 * sx;
      const th = g.tileHeightL0 * sy;
      ctx.strokeStyle = `rgba(${GRID_RGB.join(',')},${s.grid.opacity})`;
      ctx.lineWidth = tw > 6 ? 1 : 0.5;
      ctx.beginPath();
      for (const [x, y] of g.tiles) {
        const rx = p0.x + x * sx;
        const ry = p0.y + y * sy;
        if (rx > w || ry > h || rx + tw < 0 || ry + th < 0) continue;
        ctx.rect(rx, ry, tw, th);
      }
      ctx.stroke();
    }
    if (s.focus) {
      // The region a top patch opened: a white box with a black rim, readable over any colour (as in the report).
      const f = s.focus;
      const rx = p0.x + f.x * sx;
      const ry = p0.y + f.y * sy;
      const rw = Math.max(f.w * sx, 4);
      const rh = Math.max(f.h * sy, 4);
      ctx.lineWidth = 3;
      ctx.strokeStyle = '#000000';
      ctx.strokeRect(rx, ry, rw, rh);
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = '#ffffff';
      ctx.strokeRect(rx, ry, rw, rh);
    }
  }, [dzi.width, dzi.height]);

  const updateReadout = useCallback(() => {
    const v = viewerRef.current;
    const item = v?.world.getItemAt(0);
    if (!v || !item) return;
    const imageZoom = item.viewportToImageZoom(v.viewport.getZoom(true));
    const c = item.viewportToImageCoordinates(v.viewport.getCenter(true));
    setReadout({ scale: mpp ? scaleBar(mpp / imageZoom) : null, mag: magnification(imageZoom, dzi.objectivePower ?? slide.objectivePower, mpp), centre: { x: Math.round(c.x), y: Math.round(c.y) } });
  }, [mpp, dzi.objectivePower, slide.objectivePower]);

  // Create the viewer once per slide.
  useEffect(() => {
    const el = osdRef.current;
    if (!el) return;
    setReady(false);
    setOpenError(null);
    const v = OpenSeadragon({
      element: el,
      tileSources: {
        width: dzi.width,
        height: dzi.height,
        tileSize: dzi.tileSize,
        tileOverlap: dzi.overlap,
        minLevel: 0,
        maxLevel: dzi.levelCount - 1,
        getTileUrl: (level: number, x: number, y: number) => tileUrl(dzi.slideId, level, x, y),
      },
      // Electron serves tiles from wsi:// (another origin, CORS-enabled for the app); the bridge from its own origin.
      crossOriginPolicy: transportKind() === 'electron' ? 'Anonymous' : false,
      showNavigator: true,
      navigatorPosition: 'BOTTOM_RIGHT',
      navigatorAutoFade: false,
      showNavigationControl: false,
      gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true },
      visibilityRatio: 0.5,
      maxZoomPixelRatio: 2,
      animationTime: 0.5,
      immediateRender: false,
      silenceMultiImageWarnings: true,
    } as OpenSeadragon.Options);
    viewerRef.current = v;
    v.canvas.setAttribute('aria-label', `Slide ${slide.fileName}. Arrow keys pan, plus and minus zoom, 1 to 4 show 5, 10, 20 or 40 times, 0 fits the slide.`);
    v.canvas.setAttribute('role', 'application');

    const overlay = document.createElement('canvas');
    overlay.className = 'viewer-overlay';
    overlay.setAttribute('aria-hidden', 'true');
    v.canvas.appendChild(overlay);
    overlayRef.current = overlay;

    const onKey = (e: KeyboardEvent) => {
      // 1–4: the 5/10/20/40× presets (the toolbar's tooltips say so).
      if (/^[1-4]$/.test(e.key) && !e.ctrlKey && !e.metaKey && !e.altKey) {
        showAtRef.current?.([5, 10, 20, 40][Number(e.key) - 1]!);
        e.preventDefault();
        return;
      }
      if (e.code === 'NumpadAdd') v.viewport.zoomBy(1.4);
      else if (e.code === 'NumpadSubtract') v.viewport.zoomBy(1 / 1.4);
      else if (e.key === '0' || e.key === 'Home') v.viewport.goHome();
      else return;
      v.viewport.applyConstraints();
      e.preventDefault();
    };
    v.canvas.addEventListener('keydown', onKey);

    const onUpdate = () => {
      draw();
      updateReadout();
    };
    v.addHandler('open', () => {
      setReady(true);
      onUpdate();
      const item = v.world.getItemAt(0);
      item?.addHandler('fully-loaded-change', (e) => setTilesLoading(!(e as unknown as { fullyLoaded: boolean }).fullyLoaded));
    });
    v.addHandler('open-failed', () => setOpenError('The slide could not be opened in the viewer; check that the file is still available.'));
    v.addHandler('update-viewport', onUpdate);
    v.addHandler('resize', onUpdate);
    return () => {
      v.canvas.removeEventListener('keydown', onKey);
      v.destroy();
      viewerRef.current = null;
      overlayRef.current = null;
      maskItemRef.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- one viewer per slide; callbacks read refs
  }, [dzi.slideId]);

  // Jump to a region (top patches in the analysis link here).
  useEffect(() => {
    const v = viewerRef.current;
    if (!v || !ready || !focus) return;
    const item = v.world.getItemAt(0);
    if (!item) return;
    const pad = Math.max(focus.w, focus.h) * 1.5;
    v.viewport.fitBounds(item.imageToViewportRectangle(focus.x - pad, focus.y - pad, focus.w + 2 * pad, focus.h + 2 * pad));
  }, [ready, focus]);

  // Redraw the canvas layers whenever their inputs change.
  useEffect(() => {
    if (drawState.current.heatCanvas && heatmap) drawState.current.heatCanvas = null;
    draw();
  }, [draw, grid.on, grid.opacity, grid.data, heat.on, heat.opacity, heat.threshold, heatmap, focus]);

  // Tissue mask: an image layer inside OpenSeadragon (so it zooms with the slide).
  useEffect(() => {
    const v = viewerRef.current;
    if (!v || !ready || !tissue.on || !tissue.data) {
      maskItemRef.current?.setOpacity(0);
      return;
    }
    if (maskItemRef.current) {
      maskItemRef.current.setOpacity(tissue.opacity);
      return;
    }
    const t = tissue.data;
    let cancelled = false;
    colourMask(t.maskPng, TISSUE_RGB).then(
      (url) => {
        if (cancelled || !viewerRef.current) return;
        v.addSimpleImage({
          url, x: 0, y: 0, width: (t.maskWidth * t.downsampleX) / dzi.width, opacity: tissue.opacity,
          success: (e: unknown) => {
            maskItemRef.current = (e as { item: OpenSeadragon.TiledImage }).item;
          },
        });
      },
      (err: unknown) => setTissue((s) => ({ ...s, error: errorMessage(err) })),
    );
    return () => {
      cancelled = true;
    };
  }, [ready, tissue.on, tissue.opacity, tissue.data, dzi.width]);

  const toggleTissue = async (on: boolean) => {
    setTissue((s) => ({ ...s, on }));
    if (!on || tissue.data || tissue.loading) return;
    setTissue((s) => ({ ...s, loading: true, error: null }));
    try {
      const data = await call('slides.tissue', { id: slide.id });
      setTissue((s) => ({ ...s, data, loading: false }));
    } catch (err) {
      setTissue((s) => ({ ...s, loading: false, on: false, error: errorMessage(err) }));
    }
  };

  const toggleGrid = async (on: boolean) => {
    setGrid((s) => ({ ...s, on }));
    if (!on || grid.data || grid.loading) return;
    setGrid((s) => ({ ...s, loading: true, error: null }));
    try {
      const data = await call('slides.tileGrid', { id: slide.id });
      setGrid((s) => ({ ...s, data, loading: false }));
    } catch (err) {
      setGrid((s) => ({ ...s, loading: false, on: false, error: errorMessage(err) }));
    }
  };

  const zoom = (f: number) => {
    const v = viewerRef.current;
    if (!v) return;
    v.viewport.zoomBy(f);
    v.viewport.applyConstraints();
  };
  const objective = dzi.objectivePower ?? slide.objectivePower;
  const magUnavailable = objective || mpp ? null : 'Magnification unknown: the file records neither objective power nor µm/px.';
  const showAt = (target: number) => {
    const v = viewerRef.current;
    const item = v?.world.getItemAt(0);
    const imageZoom = imageZoomForMagnification(target, objective, mpp);
    if (!v || !item || imageZoom === null) return;
    v.viewport.zoomTo(item.imageToViewportZoom(imageZoom));
    v.viewport.applyConstraints();
  };
  showAtRef.current = showAt;
  const fullScreen = () => {
    const el = frameRef.current;
    if (!el) return;
    if (document.fullscreenElement) void document.exitFullscreen();
    else void el.requestFullscreen();
  };

  const l0 = slide.levels[0];
  const swatch = (rgb: [number, number, number], outline = false) => (
    <span className="swatch" aria-hidden="true" style={outline ? { borderColor: `rgb(${rgb.join(',')})` } : { background: `rgb(${rgb.join(',')})` }} />
  );

  return (
    <div className={`viewer-frame${panelOpen ? ' with-panel' : ''}`} ref={frameRef}>
      <div className="viewer-main">
        <div className="viewer-toolbar" role="toolbar" aria-label="Viewer controls">
          <Button variant="ghost" icon="zoom-in" aria-label="Zoom in" title="Zoom in (+)" onClick={() => zoom(1.4)} />
          <Button variant="ghost" icon="zoom-out" aria-label="Zoom out" title="Zoom out (−)" onClick={() => zoom(1 / 1.4)} />
          <Button variant="ghost" icon="home" aria-label="Fit the whole slide" title="Fit the whole slide (0 or Home)" onClick={() => viewerRef.current?.viewport.goHome()} />
          <Button variant="ghost" icon="fullscreen" aria-label="Full screen" title="Full screen (Esc leaves)" onClick={fullScreen} />
          <MagnificationControls onSet={showAt} unavailable={magUnavailable} />
          <span className="toolbar-sep" aria-hidden="true" />
          <span className="readout" aria-live="off" data-testid="magnification">
            {readout.mag ? <>{fmtMag(readout.mag.value)}{readout.mag.estimated ? <span className="muted"> (est. from MPP)</span> : null}</> : <span className="muted">magnification unknown</span>}
          </span>
          <span className="readout muted readout-mpp" title="at full resolution (level 0)">{mpp ? `${mpp.toFixed(3)} µm/px at full res.` : 'no MPP recorded'}</span>
          {/* Level-0 pixel coordinates, the same as the report's top-patch list, so a region can be found again. */}
          <span className="readout muted" data-testid="viewer-centre" title="centre of the view in level-0 pixels">{readout.centre ? `centre (${readout.centre.x}, ${readout.centre.y})` : ''}</span>
          <Button variant="ghost" className="toolbar-end" aria-expanded={panelOpen} aria-controls="viewer-panel" onClick={() => setPanelOpen((o) => !o)}>
            {panelOpen ? 'Hide panel' : 'Layers & info'}
          </Button>
        </div>
        <div className="viewer-stage">
          <div ref={osdRef} className="osd" data-testid="slide-viewer" />
          {!ready && !openError && <div className="viewer-msg muted">Opening slide…</div>}
          {ready && tilesLoading && !openError && <div className="viewer-loading-tiles" role="status" data-testid="tiles-loading"><span className="spinner" aria-hidden="true" />Loading tiles…</div>}
          {openError && <div className="viewer-msg error-panel" role="alert">{openError}</div>}
          <div className="scalebar" data-testid="scale-bar" aria-label={readout.scale ? `Scale bar ${readout.scale.label}` : 'No scale bar: resolution unknown'}>
            {readout.scale ? (
              <>
                <span className="scalebar-line" style={{ width: `${Math.round(readout.scale.px)}px` }} />
                <span className="scalebar-label">{readout.scale.label}</span>
              </>
            ) : (
              <span className="scalebar-label">No µm scale (resolution unknown)</span>
            )}
          </div>
        </div>
      </div>
      {panelOpen && (
        <aside className="viewer-panel" id="viewer-panel" aria-label="Layers and slide information">
          <section className="panel-section" aria-labelledby="layers-h">
            <h2 id="layers-h">Layers</h2>
            <LayerBox title="Tissue mask" on={tissue.on} busy={tissue.loading} error={tissue.error} onToggle={(on) => void toggleTissue(on)} swatch={swatch(TISSUE_RGB)}>
              <Slider label="Opacity" value={tissue.opacity} onChange={(o) => setTissue((s) => ({ ...s, opacity: o }))} format={(v) => `${Math.round(v * 100)} %`} />
              {tissue.data && (
                <p className="legend-text">
                  Green = tissue found on saturation by {thresholdRuleText(tissue.data)};
                  {' '}{(tissue.data.tissueFraction * 100).toFixed(1)} % of the slide{tissue.data.tissueAreaMm2 !== null ? `, ${tissue.data.tissueAreaMm2.toFixed(2)} mm²` : ''}, {tissue.data.objects} object{tissue.data.objects === 1 ? '' : 's'}.
                </p>
              )}
              {tissue.data && (
                <TissueControls slideId={slide.id} current={tissue.data} editable={canSeeLabels} kept={slide.tissueParams}
                  onResult={(t) => {
                    // A new mask replaces the old image layer (the effect below adds it again with the new data).
                    const item = maskItemRef.current;
                    if (item) viewerRef.current?.world.removeItem(item);
                    maskItemRef.current = null;
                    setTissue((s) => ({ ...s, data: t }));
                  }} />
              )}
            </LayerBox>
            <LayerBox title="Tile grid" on={grid.on} busy={grid.loading} error={grid.error} onToggle={(on) => void toggleGrid(on)} swatch={swatch(GRID_RGB, true)}>
              <Slider label="Opacity" value={grid.opacity} onChange={(o) => setGrid((s) => ({ ...s, opacity: o }))} format={(v) => `${Math.round(v * 100)} %`} />
              {grid.data && (
                <p className="legend-text">
                  {fmtInt(grid.data.count)} tiles of {grid.data.params.size} px at {grid.data.effectiveMpp.toFixed(2)} µm/px with ≥ {Math.round(grid.data.params.minTissue * 100)} % tissue — the grid the analysis uses.
                  {grid.data.warnings.map((w) => <span key={w} className="block warn-text">{w}</span>)}
                </p>
              )}
            </LayerBox>
            {heatmap ? (
              <LayerBox title="Attention heatmap (AI)" on={heat.on} onToggle={(on) => setHeat((s) => ({ ...s, on }))} swatch={<span className="swatch swatch-gradient" aria-hidden="true" style={{ background: viridisCss() }} />}>
                <Slider label="Opacity" value={heat.opacity} onChange={(o) => setHeat((s) => ({ ...s, opacity: o }))} format={(v) => `${Math.round(v * 100)} %`} />
                <Slider label="Hide below" value={heat.threshold} onChange={(t) => setHeat((s) => ({ ...s, threshold: t }))} format={(v) => `${Math.round(v * 100)} %`} />
                <div className="legend">
                  <div className="legend-bar" style={{ background: viridisCss() }} />
                  <div className="legend-ends"><span>low ({heatmap.grid.valueRange[0].toExponential(1)})</span><span>high ({heatmap.grid.valueRange[1].toExponential(1)})</span></div>
                  <p className="legend-text">Shows {heatmap.grid.quantity}.</p>
                  <p className="legend-text">Normalisation: {heatmap.grid.normalisation}.{heat.threshold > 0 ? ` Cells below ${Math.round(heat.threshold * 100)} % of that range are hidden.` : ''}</p>
                  <p className="legend-text">From {heatmap.source}. Attention is an attribution, not causal importance.</p>
                </div>
                {heatmap.topPatches.length > 0 && onFocus && (
                  <div className="stack">
                    <h3 className="legend-text strong">Top patches</h3>
                    <PatchGallery patches={heatmap.topPatches} dz={dzi} current={focus} onOpen={(f) => onFocus(f)} label="Top patches in this slide" />
                  </div>
                )}
              </LayerBox>
            ) : (
              <p className="muted layer-none">No attention heatmap: this slide has no finished analysis with pathology evidence.</p>
            )}
          </section>
          <section className="panel-section" aria-labelledby="meta-h">
            <h2 id="meta-h">Slide</h2>
            <Facts items={[
              ['File', <span className="mono break">{slide.fileName}</span>],
              ['Vendor', slide.vendor],
              ['Size', l0 ? `${fmtInt(l0.width)} × ${fmtInt(l0.height)} px` : null],
              ['Levels', `${slide.levels.length} (downsample ${slide.levels.map((l) => +l.downsample.toFixed(1)).join(', ')})`],
              ['Resolution', slide.mppX ? `${slide.mppX.toFixed(4)} × ${(slide.mppY ?? slide.mppX).toFixed(4)} µm/px${slide.mppSource ? ` (${slide.mppSource})` : ''}` : 'not recorded'],
              ['Objective', slide.objectivePower ? `${slide.objectivePower}×` : 'not recorded'],
              ['File size', fmtBytes(slide.sizeBytes)],
              [slide.hashKind === 'sha256' ? 'SHA-256' : 'Quickhash', <span className="mono" title={slide.hash}>{shortHash(slide.hash, 16)}</span>],
              ['Tissue', slide.tissueFraction !== null ? `${(slide.tissueFraction * 100).toFixed(1)} %` : null],
            ]} />
            {slide.quality.length > 0 && (
              <ul className="quality-list" aria-label="Quality flags">
                {slide.quality.map((q) => (
                  <li key={q.code} className={`quality quality-${q.severity}`}><Icon name={q.severity === 'warning' ? 'warning' : 'info'} size={14} /> {q.message}</li>
                ))}
              </ul>
            )}
            {Object.keys(slide.properties).length > 0 && (
              <details className="props">
                <summary>Scanner properties ({Object.keys(slide.properties).length})</summary>
                <dl>
                  {Object.entries(slide.properties).map(([k, v]) => (
                    <div key={k}><dt className="mono">{k}</dt><dd className="mono">{v}</dd></div>
                  ))}
                </dl>
              </details>
            )}
          </section>
          <section className="panel-section" aria-labelledby="assoc-h">
            <h2 id="assoc-h">Associated images</h2>
            <AssociatedImages slide={slide} canSee={canSeeLabels} />
          </section>
        </aside>
      )}
    </div>
  );
}
