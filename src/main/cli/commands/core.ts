/** Foundation commands: users, patients, cases, audit. */
import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { readStdin } from '../read-stdin.ts';
import { GliofuseError, badInput } from '../../../shared/errors.ts';
import os from 'node:os';
import { ROLES } from '../../../shared/contract/define.ts';
import { parseAnchor, verifyStoreFile, type Anchor } from '../../integrity/verify-store.ts';
import { describeVerification } from '../../integrity/describe-verification.ts';
import { resolveDbPath } from '../../paths.ts';
import type { Role } from '../../../shared/contract/define.ts';

function positiveInt(name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < 1) throw badInput(`${name} must be a positive whole number (got "${v}").`);
    return Number(v);
  };
}

async function patientIdFrom(cli: CliContext, ref: string): Promise<number> {
  if (/^\d+$/.test(ref)) return Number(ref);
  const s = await cli.services();
  return (await s.patients.byPseudonym(ref)).id;
}

export function registerCoreCommands(program: Command, cli: CliContext): void {
  const user = program.command('user').description('local accounts');
  user.command('add')
    .description('create an account (the first one must be an admin)')
    .requiredOption('--name <username>', 'login name')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--display-name <text>', 'full name shown in the audit log (defaults to the login name)')
    .requiredOption('--password-stdin', 'read the password from standard input')
    .action(async (o: { name: string; role: string; displayName?: string }) => {
      if (!(ROLES as readonly string[]).includes(o.role)) throw badInput(`--role must be one of ${ROLES.join(', ')} (got "${o.role}").`);
      const password = (await readStdin()).replace(/\r?\n$/, '');
      const s = await cli.services();
      const req = { username: o.name, displayName: o.displayName ?? o.name, password };
      if (await s.users.needsSetup()) {
        if (o.role !== 'admin') throw badInput('The first account must be an admin (--role admin).');
        const r = await cli.callPublic('auth.setupAdmin', req);
        cli.out(r.user, `created admin ${r.user.username} (id ${r.user.id})`);
      } else {
        // A first-run "user add --role admin" that arrives once another one has won (racing processes, or simply
        // late) and names no account of its own: set-up is done, as for the processes that lost inside set-up.
        const operator = cli.opts().as ?? process.env.GLIOFUSE_USER ?? os.userInfo().username;
        if (o.role === 'admin' && !(await s.users.actorByUsername(operator).then(() => true, () => false))) {
          throw new GliofuseError('CONFLICT', 'Set-up is already complete; ask an administrator for an account.');
        }
        const u = await cli.call('users.add', { ...req, role: o.role as Role });
        cli.out(u, `created ${u.role} ${u.username} (id ${u.id})`);
      }
    });
  user.command('list').description('list accounts').action(async () => {
    const r = await cli.call('users.list', {});
    cli.out(r.users, () => r.users.map((u) => `${u.id}\t${u.username}\t${u.role}\t${u.active ? 'active' : 'inactive'}\t${u.displayName}`).join('\n') || '(no users)');
  });

  const patient = program.command('patient').description('patients (pseudonymous)');
  patient.command('add')
    .requiredOption('--pseudonym <id>', 'pseudonymous patient id')
    .option('--mrn <mrn>', 'medical record number (PHI)')
    .option('--full-name <name>', 'patient name (PHI)')
    .option('--sex <sex>', 'female | male | other | unknown')
    .option('--birth-year <yyyy>', 'year of birth', positiveInt('--birth-year'))
    .action(async (o: { pseudonym: string; mrn?: string; fullName?: string; sex?: string; birthYear?: number }) => {
      const sex = o.sex as 'female' | 'male' | 'other' | 'unknown' | undefined;
      const p = await cli.call('patients.create', { pseudonym: o.pseudonym, phi: { mrn: o.mrn ?? null, fullName: o.fullName ?? null, sex: sex ?? null, birthYear: o.birthYear ?? null } });
      cli.out(p, `created patient ${p.pseudonym} (id ${p.id})`);
    });
  patient.command('list')
    .option('--search <text>', 'filter by pseudonym, MRN or name')
    .option('--limit <n>', 'page size', positiveInt('--limit'), 50)
    .option('--offset <n>', 'skip this many', (v: string) => Number(v), 0)
    .action(async (o: { search?: string; limit: number; offset: number }) => {
      const r = await cli.call('patients.list', { search: o.search, limit: o.limit, offset: o.offset });
      cli.out(r, () => [`${r.total} patient(s)`, ...r.patients.map((p) => `${p.id}\t${p.pseudonym}\t${p.caseCount} case(s)`)].join('\n'));
    });

  const kase = program.command('case').description('cases');
  kase.command('add')
    .requiredOption('--patient <id|pseudonym>', 'the patient')
    .option('--accession <text>', 'accession number (default: <pseudonym>-<n>)')
    .option('--specimen <text>', 'specimen description', '')
    .option('--site <text>', 'anatomical site', '')
    .option('--collected <YYYY-MM-DD>', 'collection date')
    .option('--received <YYYY-MM-DD>', 'date received')
    .action(async (o: { patient: string; accession?: string; specimen: string; site: string; collected?: string; received?: string }) => {
      const patientId = await patientIdFrom(cli, o.patient);
      const s = await cli.services();
      const p = await s.patients.get(patientId);
      const c = await cli.call('cases.create', {
        patientId, accession: o.accession ?? `${p.pseudonym}-${p.caseCount + 1}`, specimen: o.specimen, site: o.site,
        collectedOn: o.collected ?? null, receivedOn: o.received ?? null,
      });
      cli.out(c, `created case ${c.accession} (id ${c.id}) for ${c.patientPseudonym}`);
    });
  kase.command('list')
    .requiredOption('--patient <id|pseudonym>', 'the patient')
    .action(async (o: { patient: string }) => {
      const r = await cli.call('cases.list', { patientId: await patientIdFrom(cli, o.patient), limit: 500, offset: 0 });
      cli.out(r, () => [`${r.total} case(s)`, ...r.cases.map((c) => `${c.id}\t${c.accession}\t${c.status}\t${c.specimen}`)].join('\n'));
    });

  const audit = program.command('audit').description('the tamper-evident audit log');
  audit.command('verify')
    .description('verify the audit log, its checkpoint, the schema triggers and row accounting (read-only; exit 1 if anything is wrong)')
    .option('--anchor <count:head>', 'also check an anchor printed on a report or export (repeatable)', (v: string, acc: Anchor[]) => {
      const a = parseAnchor(v);
      if (!a) throw badInput(`--anchor must be COUNT:HEAD with a 64-hex head (got "${v.slice(0, 80)}").`);
      return [...acc, a];
    }, [] as Anchor[])
    .action(async (o: { anchor: Anchor[] }) => {
      // Never through createServices: verification opens the file read-only, runs no migration and appends nothing.
      const st = await verifyStoreFile(resolveDbPath(cli.opts().db), { anchors: o.anchor });
      cli.out(st, () => describeVerification(st));
      if (!st.ok) process.exitCode = 1;
    });
  audit.command('export')
    .requiredOption('--format <format>', 'json | fhir')
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (o: { format: string; out?: string }) => {
      if (o.format !== 'json' && o.format !== 'fhir') throw badInput(`--format must be json or fhir (got "${o.format}").`);
      // With --out the service writes the file (checked before anything is read; a failed write is audited as such).
      const r = await cli.call('audit.export', { format: o.format, ...(o.out ? { out: path.resolve(o.out) } : {}) });
      if (o.out) process.stderr.write(`wrote ${r.count} events to ${o.out}\n`);
      else process.stdout.write(`${r.content}\n`);
    });
}
