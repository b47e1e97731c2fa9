/**
 * Size limits on what users hand the app, in one place so the CLI, the bridge, the app and every validation step
 * refuse the same input with the same message (issue 12 §5: a 50 MB CSV passed `genomics validate` but failed
 * `analyze` with an internal channel name).
 */

/** A genomic profile file: one patient's row, or a cohort table read with --row-id (the public 769-patient table is 170 kB). */
export const MAX_PROFILE_BYTES = 5 * 1024 * 1024;
/** A row id / patient id in a profile (--row-id, the id column). */
export const MAX_ROW_ID_CHARS = 128;
/** A column name or JSON key of a profile. */
export const MAX_PROFILE_KEY_CHARS = 128;
/** Per-field errors kept in a validation report (the rest are counted): a report is shown, stored and audited. */
export const MAX_REPORTED_ERRORS = 50;

const mb = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);

export function profileTooLargeMessage(bytes: number): string {
  return `The genomic profile is ${mb(bytes)} MB; profiles are limited to ${mb(MAX_PROFILE_BYTES)} MB (one patient's row, or a cohort table of a few thousand rows read with --row-id).`;
}
