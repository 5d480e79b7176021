import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Typed search attributes that make runs findable in the Temporal UI (`MlopsModel = "penguins"`).
 * The embedded dev server registers every key listed in `platformSearchAttributes` at start;
 * on a real cluster `mlops doctor` says which are missing and how to add them.
 */
export const pipelineAttribute = defineSearchAttributeKey('MlopsPipeline', SearchAttributeType.KEYWORD);
export const modelAttribute = defineSearchAttributeKey('MlopsModel', SearchAttributeType.KEYWORD);
export const stageAttribute = defineSearchAttributeKey('MlopsStage', SearchAttributeType.KEYWORD);
export const runStatusAttribute = defineSearchAttributeKey('MlopsStatus', SearchAttributeType.KEYWORD);
/** What started a training run: `cli`, `script`, `schedule`, `monitor` (a retraining), `test`. */
export const triggerAttribute = defineSearchAttributeKey('MlopsTrigger', SearchAttributeType.KEYWORD);

export const platformSearchAttributes = [
  pipelineAttribute,
  modelAttribute,
  stageAttribute,
  runStatusAttribute,
  triggerAttribute,
];

/** The CLI's spelling of a search attribute type (`temporal server start-dev --search-attribute Name=Type`). */
export function cliSearchAttributeType(type: SearchAttributeType): string {
  const names: Record<SearchAttributeType, string> = {
    [SearchAttributeType.TEXT]: 'Text',
    [SearchAttributeType.KEYWORD]: 'Keyword',
    [SearchAttributeType.INT]: 'Int',
    [SearchAttributeType.DOUBLE]: 'Double',
    [SearchAttributeType.BOOL]: 'Bool',
    [SearchAttributeType.DATETIME]: 'Datetime',
    [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
  };
  return names[type];
}
