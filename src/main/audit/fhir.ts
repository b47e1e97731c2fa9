/**
 * Maps audit events to FHIR R4 AuditEvent resources in a collection Bundle, for hospital audit repositories.
 * The hash chain fields travel as extensions so an importer can re-verify the chain.
 */
import type { AuditEvent } from '../../shared/contract/audit.ts';
import type { Checkpoint } from './checkpoint.ts';

const EXT = 'https://gliofuse.local/fhir/StructureDefinition';

function actionCode(action: string): 'C' | 'R' | 'U' | 'D' | 'E' {
  if (action.startsWith('read.') || action.endsWith('.viewed')) return 'R';
  if (action.endsWith('.created') || action.endsWith('.attached') || action.endsWith('.imported')) return 'C';
  if (action.endsWith('.updated') || action.endsWith('.changed') || action.endsWith('.status_changed') || action.endsWith('.signed')) return 'U';
  if (action.endsWith('.deleted')) return 'D';
  return 'E';
}

const OUTCOME = { success: '0', failure: '4', denied: '8' } as const;

export function toFhirBundle(events: AuditEvent[], appVersion: string, checkpoint: Checkpoint | null = null): Record<string, unknown> {
  return {
    resourceType: 'Bundle',
    type: 'collection',
    timestamp: new Date().toISOString(),
    entry: events.map((e) => ({
      fullUrl: `urn:gliofuse:audit:${e.seq}`,
      resource: {
        resourceType: 'AuditEvent',
        id: String(e.seq),
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' },
        subtype: [{ system: `${EXT}/action`, code: e.action }],
        action: actionCode(e.action),
        recorded: e.ts,
        outcome: OUTCOME[e.outcome],
        ...(e.reason ? { outcomeDesc: e.reason } : {}),
        agent: [{ requestor: true, who: e.userId === null ? { display: 'system' } : { identifier: { value: String(e.userId) }, display: e.userName ?? undefined } }],
        source: { observer: { display: `Gliofuse ${e.appVersion}` } },
        entity: [
          ...(e.entityType ? [{ what: { identifier: { system: `${EXT}/${e.entityType}`, value: e.entityId ?? '' } } }] : []),
          ...(e.patientPseudonym ? [{ what: { identifier: { system: `${EXT}/patient-pseudonym`, value: e.patientPseudonym } }, role: { code: '1', display: 'Patient' } }] : []),
        ],
        extension: [
          { url: `${EXT}/audit-chain-prev-hash`, valueString: e.prevHash },
          { url: `${EXT}/audit-chain-hash`, valueString: e.hash },
        ],
      },
    })),
    meta: {
      tag: [{ system: `${EXT}/exporter`, code: `gliofuse-${appVersion}` }],
      // The audit checkpoint of this export (count, head, MAC): an anchor re-checked with "gliofuse audit verify --anchor".
      ...(checkpoint ? { extension: [{ url: `${EXT}/audit-checkpoint`, valueString: JSON.stringify(checkpoint) }] } : {}),
    },
  };
}
