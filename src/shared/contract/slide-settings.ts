// What users enter about a slide (issue 13): its µm/px and its tissue-detection parameters. Registered in ./index.ts;
// handlers in src/main/wsi/slide-settings-handlers.ts. Design notes: docs/wsi.md.
import { z } from 'zod';
import { EDITORS, channel } from './define.ts';
import { Id } from './common.ts';
import { SlideDetail, TissueParams } from './slides.ts';

export const slideSettingsChannels = {
  'slides.setMpp': channel({
    request: z.object({ id: Id, mpp: z.number().positive().max(100).nullable() }).strict(),
    response: SlideDetail,
    access: EDITORS,
    summary: "enter (or clear, null) the slide's µm/px when the file records none; audited, kept apart from the file's value",
  }),
  'slides.setTissueParams': channel({
    request: z.object({ id: Id, params: TissueParams.partial().nullable() }).strict(),
    response: SlideDetail,
    access: EDITORS,
    summary: "keep tissue-detection parameters for this slide's analyses (null = defaults); audited",
  }),
};
