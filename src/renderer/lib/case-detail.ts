/** The case as the case page and its tabs receive it. Its own module so the tabs need not import CasePage (a cycle). */
import type { ResponseOf } from '../../shared/contract/index.ts';

export type CaseDetail = ResponseOf<'cases.get'>;
