/** A level-0 rectangle the viewer should show (a clicked top patch). Shared by the viewer and the patch gallery. */
export interface FocusRect {
  x: number;
  y: number;
  w: number;
  h: number;
}
