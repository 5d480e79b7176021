/**
 * Just enough HTML tokenizing to check the report's structure in tests: the tags it contains,
 * their attributes, whether they nest properly, and what its SVG charts hold. The report escapes
 * every `<` in text, so every `<` the tokenizer sees starts a real tag.
 */

export interface Tag {
  readonly name: string;
  readonly closing: boolean;
  readonly selfClosing: boolean;
  readonly attributes: ReadonlyMap<string, string>;
}

const VOID_ELEMENTS = new Set([
  'meta',
  'br',
  'hr',
  'img',
  'input',
  'link',
  'source',
  'wbr',
  'area',
  'base',
  'col',
]);

export function tagsOf(html: string): Tag[] {
  const body = html.replace(/^<!DOCTYPE html>/i, '');
  const tags: Tag[] = [];
  for (const match of body.matchAll(/<(\/?)([A-Za-z][\w:-]*)((?:\s+[^\s=/>]+(?:="[^"]*")?)*)\s*(\/?)>/g)) {
    const attributes = new Map<string, string>();
    for (const attribute of match[3].matchAll(/([^\s=/>]+)(?:="([^"]*)")?/g)) {
      attributes.set(attribute[1].toLowerCase(), attribute[2] ?? '');
    }
    tags.push({
      name: match[2].toLowerCase(),
      closing: match[1] === '/',
      selfClosing: match[4] === '/',
      attributes,
    });
  }
  return tags;
}

/** Every `<` in the document that does not start a tag the tokenizer recognised. */
export function strayAngleBrackets(html: string): number {
  const tagCount = (html.replace(/^<!DOCTYPE html>/i, '').match(/</g) ?? []).length;
  return tagCount - tagsOf(html).length;
}

/** Null when every element is closed in order; otherwise what went wrong. */
export function nestingProblem(html: string): string | null {
  const open: string[] = [];
  for (const tag of tagsOf(html)) {
    if (tag.selfClosing || (VOID_ELEMENTS.has(tag.name) && !tag.closing)) continue;
    if (!tag.closing) {
      open.push(tag.name);
      continue;
    }
    const last = open.pop();
    if (last !== tag.name) return `</${tag.name}> closes <${last ?? 'nothing'}>`;
  }
  return open.length === 0 ? null : `unclosed: ${open.join(' > ')}`;
}

/** The markup of each <svg> element. */
export function svgBlocks(html: string): string[] {
  return html.match(/<svg\b[\s\S]*?<\/svg>/g) ?? [];
}

/** The id of each chart's <figure>, in document order. */
export function chartIds(html: string): string[] {
  return tagsOf(html)
    .filter((tag) => tag.name === 'figure' && !tag.closing)
    .map((tag) => tag.attributes.get('id') ?? '');
}

/** One chart's SVG markup, tick labels and axis titles, by chart id. */
export function chartParts(html: string, chartId: string) {
  const start = html.indexOf(`<figure class="chart" id="${chartId}">`);
  if (start < 0) throw new Error(`the report has no chart ${chartId}; it has ${chartIds(html).join(', ')}`);
  const figure = html.slice(start);
  const svg = svgBlocks(figure)[0];
  return {
    svg,
    tickLabels: [
      ...svg.matchAll(/<text class="tick-label"[^>]*>(?:<title>[^<]*<\/title>)?([^<]*)<\/text>/g),
    ].map((m) => m[1]),
    axisLabels: [...svg.matchAll(/<text class="axis-label"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]),
  };
}

const NUMBER = '-?\\d+(?:\\.\\d+)?';
const NUMERIC_ATTRIBUTES = new Set([
  'x',
  'y',
  'x1',
  'x2',
  'y1',
  'y2',
  'cx',
  'cy',
  'r',
  'width',
  'height',
  'font-size',
  'fill-opacity',
]);
const ATTRIBUTE_GRAMMAR: Readonly<Record<string, RegExp>> = {
  d: new RegExp(`^M${NUMBER} ${NUMBER}(?: L${NUMBER} ${NUMBER})*$`),
  viewbox: new RegExp(`^0 0 ${NUMBER} ${NUMBER}$`),
  transform: new RegExp(`^rotate\\(-90 ${NUMBER} ${NUMBER}\\)$`),
  'stroke-dasharray': /^\d+(?: \d+)*$/,
};

/** Every coordinate-like attribute of every SVG element that is not plain finite numbers (names lower-cased). */
export function svgNumberProblems(html: string): string[] {
  const problems: string[] = [];
  for (const svg of svgBlocks(html)) {
    for (const tag of tagsOf(svg)) {
      for (const [name, value] of tag.attributes) {
        const grammar = ATTRIBUTE_GRAMMAR[name];
        const valid = NUMERIC_ATTRIBUTES.has(name)
          ? new RegExp(`^${NUMBER}$`).test(value)
          : grammar
            ? grammar.test(value)
            : true;
        if (!valid) problems.push(`<${tag.name} ${name}="${value}">`);
      }
    }
  }
  return problems;
}
