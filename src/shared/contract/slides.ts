// Slide channels (whole-slide engine). Filled by the slide-engine work; registered in ./index.ts.
export const slideChannels = {};
