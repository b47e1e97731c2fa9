// Analysis-job, review/sign-off and report channels. Filled by the pipeline work; registered in ./index.ts.
export const analysisChannels = {};
