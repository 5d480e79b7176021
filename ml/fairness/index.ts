/** Group fairness of classifiers (Fairlearn's definitions), small groups flagged rather than hidden. */
export {
  computeFairness,
  type FairnessInput,
  type FairnessReport,
  type ClassFairness,
  type AttributeFairness,
} from './fairness.js';
export { MISSING_GROUP_NAME, type SensitiveAttribute, type GroupRates } from './group-rates.js';
export { type Disparities } from './disparities.js';
export { judgedDisparities, judgedFairness, type JudgedFairness } from './gate-rule.js';
