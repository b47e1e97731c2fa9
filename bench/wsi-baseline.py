"""openslide-python baseline for bench/wsi.ts (Debian python3-openslide, run with /usr/bin/python3).

Reads the same tiles as Gliofuse with the same parallelism (N worker processes, batches of tiles, results returned
to the parent process as RGB bytes / JPEG bytes, as Gliofuse's workers return them to its main process) and prints
one JSON line with the timings.

usage: wsi-baseline.py read SLIDE COORDS.json WORKERS BATCH
       wsi-baseline.py dz SLIDE TILES.json WORKERS BATCH QUALITY
COORDS.json: {"level": L, "w": W, "h": H, "coords": [[x, y], ...]}; TILES.json: {"tiles": [[level, col, row], ...]}
"""
import io
import json
import sys
import time
from multiprocessing import Pool

import openslide
from openslide.deepzoom import DeepZoomGenerator

_slide = None
_dz = None


def _init(path):
    global _slide, _dz
    _slide = openslide.OpenSlide(path)
    _dz = DeepZoomGenerator(_slide, 254, 1, False)


def _read(job):
    level, w, h, coords = job
    out = []
    for x, y in coords:
        # read_region gives RGBA; tiles for a model are RGB (as Gliofuse returns them).
        out.append(_slide.read_region((x, y), level, (w, h)).convert('RGB').tobytes())
    return out


def _dz_tiles(job):
    quality, tiles = job
    out = []
    for level, col, row in tiles:
        buf = io.BytesIO()
        _dz.get_tile(level, (col, row)).save(buf, 'jpeg', quality=quality)
        out.append(buf.getvalue())
    return out


def main():
    mode, path, spec, workers, batch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    with open(spec) as f:
        s = json.load(f)
    if mode == 'read':
        items = s['coords']
        jobs = [(s['level'], s['w'], s['h'], items[i:i + batch]) for i in range(0, len(items), batch)]
        fn = _read
    else:
        quality = int(sys.argv[6])
        items = s['tiles']
        jobs = [(quality, items[i:i + batch]) for i in range(0, len(items), batch)]
        fn = _dz_tiles
    with Pool(workers, initializer=_init, initargs=(path,)) as pool:
        pool.map(_init, [path] * workers)  # make sure every worker has started and opened the slide
        t0 = time.perf_counter()
        n = 0
        nbytes = 0
        for res in pool.imap(fn, jobs):
            n += len(res)
            nbytes += sum(len(b) for b in res)
        dt = time.perf_counter() - t0
    print(json.dumps({'tiles': n, 'seconds': dt, 'tiles_per_s': n / dt, 'bytes': nbytes}))


if __name__ == '__main__':
    main()
