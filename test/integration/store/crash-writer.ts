/** Child process for the crash test: appends patients (and their audit events) as fast as it can until killed. */
import { createServices } from '../../../src/main/services.ts';

const dbPath = process.argv[2]!;
const s = await createServices({ dbPath, dataDir: `${dbPath}.data`, appVersion: '0.0.0-test' });
const admin = await s.users.setupAdmin({ username: 'admin', displayName: 'Admin', password: 'correct horse battery staple' });
let i = 0;
process.send?.('ready');
for (;;) {
  // Several concurrent writers in one process, as the app would have.
  await Promise.all([0, 1, 2].map((k) => s.patients.create(admin, { pseudonym: `K-${i}-${k}`, phi: { mrn: `M${i}` } })));
  i++;
  if (i === 5) process.send?.('writing');
}
