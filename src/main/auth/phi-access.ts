/**
 * Who may see patient identifiers (docs/input-validation.md, "PHI by role"). Pathologists sign out cases and
 * administrators register patients: both need the MRN and name to match a specimen to a person. A viewer (a
 * researcher, a student, a second reader) works on the pseudonymised record only: MRN and name are withheld from
 * everything the viewer's session receives, and searching by MRN or name is not offered (it would reveal which
 * pseudonym belongs to an MRN the viewer already knows). Sex and birth year stay visible: the analysis and report
 * use them, and on their own they do not identify a person (HIPAA Safe Harbour keeps the year).
 */
import type { Role } from '../../shared/contract/define.ts';
import type { Patient } from '../../shared/contract/patients.ts';

export const PHI_ROLES: readonly Role[] = ['admin', 'pathologist'];

export function canSeePhi(role: Role | null | undefined): boolean {
  return role !== null && role !== undefined && PHI_ROLES.includes(role);
}

/** The patient as a role without PHI access receives it. */
export function redactPatient(p: Patient): Patient {
  return { ...p, phi: { ...p.phi, mrn: null, fullName: null }, phiRedacted: true };
}
