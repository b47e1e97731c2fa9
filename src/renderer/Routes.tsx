/**
 * Route table: hash path → page. Unknown paths fall back to the worklist (the home screen), and so do pages the
 * signed-in role may not see (Users for non-administrators): they redirect instead of rendering a refusal, so the
 * page never calls a channel the role cannot use.
 */
import { useEffect } from 'react';
import { navigate, type Route } from './lib/route.ts';
import { isAdmin, useSession } from './lib/session.tsx';
import { Worklist } from './features/cases/Worklist.tsx';
import { CasePage } from './features/cases/CasePage.tsx';
import { PatientList } from './features/patients/PatientList.tsx';
import { PatientPage } from './features/patients/PatientPage.tsx';
import { PatientForm } from './features/patients/PatientForm.tsx';
import { CaseForm } from './features/cases/CaseForm.tsx';
import { AuditLogPage } from './features/audit/AuditLogPage.tsx';
import { UsersPage } from './features/users/UsersPage.tsx';
import { SettingsPage } from './features/settings/SettingsPage.tsx';
import { ModelsPage } from './features/models/ModelsPage.tsx';
import { ChangePasswordPage } from './features/account/ChangePasswordPage.tsx';

const toId = (s: string | undefined): number | null => (s && /^\d+$/.test(s) ? Number(s) : null);

/** Replaces the address with the Worklist (no history entry: Back must not return to the refused page). */
function RedirectHome() {
  useEffect(() => navigate('/worklist', {}, { replace: true }), []);
  return null;
}

export function Page({ route }: { route: Route }) {
  const { user } = useSession();
  const [head, a, b, c] = route.parts;
  switch (head) {
    case 'patients': {
      if (a === 'new') return <PatientForm key="new" patientId={null} />;
      const id = toId(a);
      if (id !== null && b === 'edit') return <PatientForm key={`edit-${id}`} patientId={id} />;
      if (id !== null && b === 'cases' && c === 'new') return <CaseForm key={`new-case-${id}`} patientId={id} caseId={null} />;
      if (id !== null) return <PatientPage key={id} id={id} />;
      return <PatientList query={route.query} />;
    }
    case 'cases': {
      const id = toId(a);
      if (id !== null && b === 'edit') return <CaseForm key={`edit-case-${id}`} patientId={null} caseId={id} />;
      if (id !== null) return <CasePage key={id} id={id} tab={b ?? 'overview'} query={route.query} />;
      return <Worklist query={route.query} />;
    }
    case 'audit':
      return <AuditLogPage query={route.query} />;
    case 'users':
      return isAdmin(user.role) ? <UsersPage /> : <RedirectHome />;
    case 'settings':
      return <SettingsPage />;
    case 'password':
      return <ChangePasswordPage />;
    case 'models':
      return <ModelsPage key={a ?? 'list'} id={a} />;
    default:
      return <Worklist query={route.query} />;
  }
}
