/** A viewer sees no edit controls, and a forged edit call from the viewer's own page is refused by the server. */
import { expect, test } from '@playwright/test';
import { ADMIN, VIEWER, apiAs, ensureUser, rail, shot, signIn, unique, watchConsole, type BrowserGlobals } from './helpers.ts';

test('the admin creates a viewer account in the Users screen', async ({ page }) => {
  const problems = watchConsole(page);
  await signIn(page, ADMIN);
  await rail(page, 'Users').click();
  await expect(page.getByRole('heading', { name: 'Users', level: 1 })).toBeVisible();
  const form = page.getByRole('form', { name: 'Add an account' });
  const username = unique('reader');
  await form.getByLabel('Username').fill(username);
  await form.getByLabel('Display name').fill(`Reader ${username.slice(-4)}`);
  await form.getByLabel('Role').selectOption('viewer');
  await form.getByLabel('Initial password').fill('reader-password-9');
  await form.getByRole('button', { name: 'Add account' }).click();
  await expect(form.getByRole('status')).toContainText(`Account ${username} created as Viewer`);
  await expect(page.getByRole('combobox', { name: `Role of ${username}` })).toHaveValue('viewer');

  // The same username again is refused with a message naming the problem.
  await form.getByLabel('Username').fill(username);
  await form.getByLabel('Display name').fill('Duplicate');
  await form.getByLabel('Initial password').fill('reader-password-9');
  await form.getByRole('button', { name: 'Add account' }).click();
  await expect(form.getByRole('alert')).toContainText(username);
  await shot(page, '12-users-admin');
  expect(problems).toEqual([]);
});

test('a viewer cannot edit: controls are hidden and a forged API call is refused', async ({ page }) => {
  const problems = watchConsole(page);
  await ensureUser(VIEWER, 'viewer');
  const admin = await apiAs(ADMIN);
  const patient = await admin('patients.create', { pseudonym: unique('GF-V') });
  const kase = await admin('cases.create', { patientId: patient.id, accession: unique('S25-V') });

  await signIn(page, VIEWER);
  await expect(page.getByTestId('current-role')).toHaveText('Viewer (read-only)');
  await expect(rail(page, 'Users')).toHaveCount(0);

  await rail(page, 'Patients').click();
  await page.getByLabel('Search patients').fill(patient.pseudonym);
  await expect(page.getByRole('link', { name: patient.pseudonym })).toBeVisible();
  await expect(page.getByRole('link', { name: 'New patient' })).toHaveCount(0);

  await page.getByRole('link', { name: patient.pseudonym }).click();
  await expect(page.getByRole('heading', { name: patient.pseudonym, level: 1 })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Edit patient' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'New case' })).toHaveCount(0);

  await page.getByRole('link', { name: kase.accession }).click();
  await expect(page.getByRole('heading', { name: `Case ${kase.accession}` })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Edit case' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Change status' })).toHaveCount(0);
  await expect(page.getByLabel('Move case to')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Archive case' })).toHaveCount(0);
  await shot(page, '13-viewer-case');

  // Typing an edit address shows a read-only message instead of a form.
  await page.goto(`${new URL(page.url()).origin}/#/patients/${patient.id}/edit`);
  await expect(page.getByRole('alert')).toContainText('read-only');

  // Forge the calls the hidden controls would make, from the viewer's own page with its real token and session.
  const forged = await page.evaluate(async ([patientId, caseId]) => {
    const { sessionStorage } = globalThis as unknown as BrowserGlobals;
    const headers = {
      Authorization: `Bearer ${sessionStorage.getItem('gliofuse.bridgeToken') ?? ''}`,
      'X-Gliofuse-Session': sessionStorage.getItem('gliofuse.bridgeSession') ?? '',
      'Content-Type': 'application/json',
    };
    const post = async (channel: string, body: unknown) => {
      const r = await fetch(`./api/${channel}`, { method: 'POST', headers, body: JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as { ok: boolean; error?: { code: string; message: string } } };
    };
    return [
      await post('patients.create', { pseudonym: 'FORGED-BY-VIEWER' }),
      await post('patients.update', { id: patientId, pseudonym: 'RENAMED-BY-VIEWER' }),
      await post('cases.setStatus', { id: caseId, status: 'archived' }),
      await post('users.add', { username: 'evil', displayName: 'Evil', role: 'admin', password: 'evil-password-1' }),
    ];
  }, [patient.id, kase.id] as const);
  for (const r of forged) {
    // 200: the bridge accepted the transport (right token and session); the router refused the call.
    expect(r.status).toBe(200);
    expect(r.body.ok).toBe(false);
    expect(r.body.error?.code).toBe('FORBIDDEN');
  }

  // Nothing changed, and each refusal is in the audit log as a denied access.
  expect((await admin('patients.list', { search: 'FORGED-BY-VIEWER' })).total).toBe(0);
  expect((await admin('patients.get', { id: patient.id })).pseudonym).toBe(patient.pseudonym);
  expect((await admin('cases.get', { id: kase.id })).status).toBe('new');
  const denied = await admin('audit.list', { action: 'access.denied', limit: 10 });
  const channels = denied.events.filter((e) => e.userName === VIEWER.displayName).map((e) => e.entityId);
  expect(channels).toEqual(expect.arrayContaining(['patients.create', 'patients.update', 'cases.setStatus', 'users.add']));

  expect(problems).toEqual([]);
});
