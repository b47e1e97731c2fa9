-- 0002: slide details the viewer's metadata panel and the quality flags need without reopening the file.
-- metadata_json (0001) holds {properties (allow-listed), levels, associatedImages, bounds}; quality_json the flags.
ALTER TABLE slides ADD COLUMN objective_power REAL;
ALTER TABLE slides ADD COLUMN mpp_source TEXT CHECK (mpp_source IS NULL OR mpp_source IN ('openslide', 'tiff-resolution'));
ALTER TABLE slides ADD COLUMN quickhash TEXT;
-- The tissue detection run at attach time: fraction, area, threshold and the parameters it used.
ALTER TABLE slides ADD COLUMN tissue_json TEXT;
