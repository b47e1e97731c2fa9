/** Case status words, icons and the workflow order; status is never shown by colour alone. */
import { CASE_STATUSES } from '../../../shared/contract/patients.ts';
import { Icon, type IconName } from '../../components/icons.tsx';

export type CaseStatus = (typeof CASE_STATUSES)[number];
export { CASE_STATUSES };

export const STATUS_LABEL: Record<CaseStatus, string> = {
  new: 'New',
  analysing: 'Analysing',
  ready_for_review: 'Ready for review',
  signed: 'Signed',
  archived: 'Archived',
};

const STATUS_ICON: Record<CaseStatus, IconName> = {
  new: 'dot',
  analysing: 'clock',
  ready_for_review: 'review',
  signed: 'check',
  archived: 'archive',
};

export function StatusBadge({ status }: { status: CaseStatus }) {
  return (
    <span className={`status status-${status}`}>
      <Icon name={STATUS_ICON[status]} size={14} />
      {STATUS_LABEL[status]}
    </span>
  );
}
