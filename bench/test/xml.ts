/**
 * Just enough XML for the bench's tests: a strict parser for what the chart writes, to check it
 * is well-formed and to read it back.
 */

/** A parsed element, its text decoded. */
export interface Element {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: Element[];
  text: string;
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the five named entities; throws on a bare `&` or `<`, which well-formed XML cannot hold. */
const decode = (raw: string, where: string): string => {
  if (raw.includes('<')) throw new Error(`'<' in ${where}: ${raw}`);
  return raw.replace(/&([^;]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(';') || !(name in entities)) throw new Error(`bare '&' in ${where}: ${raw}`);
    return entities[name]!;
  });
};

/** A strict parser for the subset the chart writes: elements, double-quoted attributes, text. */
export const parseXml = (xml: string): Element => {
  const document: Element = { name: '#document', attributes: {}, children: [], text: '' };
  const open: Element[] = [document];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[A-Za-z][\w:.-]*="[^"]*")*)\s*(\/?)>/y;
  let at = 0;
  while (at < xml.length) {
    const lt = xml.indexOf('<', at);
    const parent = open[open.length - 1]!;
    parent.text += decode(xml.slice(at, lt < 0 ? xml.length : lt), `text of <${parent.name}>`);
    if (lt < 0) break;
    tag.lastIndex = lt;
    const match = tag.exec(xml);
    if (match === null) throw new Error(`not a tag at ${lt}: ${xml.slice(lt, lt + 60)}`);
    const [whole, closing, name, attributeText, selfClosing] = match as unknown as [string, string, string, string, string];
    at = lt + whole.length;
    if (closing) {
      if (attributeText || selfClosing) throw new Error(`malformed closing tag ${whole}`);
      if (parent.name !== name) throw new Error(`</${name}> closes <${parent.name}>`);
      open.pop();
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const [, key, value] of attributeText.matchAll(/([A-Za-z][\w:.-]*)="([^"]*)"/g)) {
      if (key! in attributes) throw new Error(`attribute ${key} twice in <${name}>`);
      attributes[key!] = decode(value!, `attribute ${key} of <${name}>`);
    }
    const element: Element = { name, attributes, children: [], text: '' };
    parent.children.push(element);
    if (!selfClosing) open.push(element);
  }
  if (open.length !== 1) throw new Error(`<${open[open.length - 1]!.name}> never closed`);
  if (document.children.length !== 1 || document.text.trim() !== '') throw new Error('not exactly one root element');
  return document.children[0]!;
};

export const descendants = (element: Element): Element[] => element.children.flatMap((child) => [child, ...descendants(child)]);

/** Attribute values that are not numbers a renderer can use. */
export const badNumbers = (root: Element): string[] =>
  [root, ...descendants(root)].flatMap((e) => Object.entries(e.attributes).filter(([, v]) => /NaN|Infinity|undefined/.test(v)).map(([k, v]) => `<${e.name} ${k}="${v}">`));
