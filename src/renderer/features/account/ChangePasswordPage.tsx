/** `#/password`: any signed-in user changes their own password (left rail ▸ Change my password). */
import { useState } from 'react';
import { FormMessage, PageHeader, Section } from '../../components/ui.tsx';
import { useSession } from '../../lib/session.tsx';
import { ChangePasswordForm } from './ChangePasswordForm.tsx';

export function ChangePasswordPage() {
  const { user } = useSession();
  const [done, setDone] = useState(false);
  return (
    <div className="page">
      <PageHeader title="Change my password" subtitle="The change is recorded in the audit log; the password itself never is." />
      <Section title={`Account ${user.username}`}>
        <FormMessage success={done ? 'Your password was changed. Use the new one from the next sign-in.' : null} />
        <ChangePasswordForm username={user.username} submitLabel="Change password" onDone={() => setDone(true)} />
      </Section>
    </div>
  );
}
