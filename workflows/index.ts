// The workflow bundle's entry: every workflow type the CPU pool runs.
export * from './smoke.js';
