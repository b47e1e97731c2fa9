// Model-package, genomic-profile and evaluation channels. Filled by the model work; registered in ./index.ts.
export const modelChannels = {};
