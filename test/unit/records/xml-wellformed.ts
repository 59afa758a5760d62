/**
 * A strict XML well-formedness check (no XML parser is installed): one root element,
 * balanced and properly nested tags, quoted unique attributes, only valid entity
 * references, no stray "<" or "&". Returns the first problem, or undefined.
 */
const NAME = /^[A-Za-z_:][\w.:-]*/;
const ENTITY = /^&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9A-Fa-f]+);/;

function checkText(text: string, at: number): string | undefined {
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === '&' && !ENTITY.test(text.slice(i))) return `bad entity at ${at + i}`;
    if (text[i] === '<') return `stray "<" at ${at + i}`;
  }
  return undefined;
}

export function xmlProblem(xml: string): string | undefined {
  let i = 0;
  const stack: string[] = [];
  let roots = 0;
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) return 'unterminated prolog';
    i = end + 2;
  }
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    if (stack.length === 0 && text.trim() !== '') return `text outside the root at ${i}`;
    const bad = checkText(text, i);
    if (bad) return bad;
    if (lt < 0) break;
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end < 0) return 'unterminated comment';
      i = end + 3;
      continue;
    }
    if (xml[lt + 1] === '/') {
      const m = NAME.exec(xml.slice(lt + 2));
      const close = xml.indexOf('>', lt);
      if (!m || close < 0) return `bad closing tag at ${lt}`;
      if (xml.slice(lt + 2 + m[0].length, close).trim() !== '')
        return `junk in closing tag at ${lt}`;
      const open = stack.pop();
      if (open !== m[0]) return `</${m[0]}> closes <${open ?? 'nothing'}> at ${lt}`;
      i = close + 1;
      continue;
    }
    const m = NAME.exec(xml.slice(lt + 1));
    if (!m) return `bad tag name at ${lt}`;
    if (stack.length === 0) {
      roots += 1;
      if (roots > 1) return `second root element at ${lt}`;
    }
    let j = lt + 1 + m[0].length;
    const seen = new Set<string>();
    for (;;) {
      while (/\s/.test(xml[j] ?? '')) j += 1;
      if (xml.startsWith('/>', j)) {
        j += 2;
        break;
      }
      if (xml[j] === '>') {
        stack.push(m[0]);
        j += 1;
        break;
      }
      if (!/\s/.test(xml[j - 1] ?? '')) return `attributes need a space before them at ${j}`;
      const a = NAME.exec(xml.slice(j));
      if (!a) return `bad attribute at ${j}`;
      if (seen.has(a[0])) return `duplicate attribute ${a[0]} at ${j}`;
      seen.add(a[0]);
      j += a[0].length;
      if (xml[j] !== '=') return `attribute ${a[0]} has no value at ${j}`;
      const q = xml[j + 1];
      if (q !== '"' && q !== "'") return `unquoted attribute ${a[0]} at ${j}`;
      const end = xml.indexOf(q, j + 2);
      if (end < 0) return `unterminated attribute ${a[0]}`;
      const value = xml.slice(j + 2, end);
      const badValue = checkText(value, j + 2);
      if (badValue) return badValue;
      j = end + 1;
    }
    i = j;
  }
  if (stack.length > 0) return `<${stack[stack.length - 1]}> is never closed`;
  if (roots !== 1) return 'no root element';
  return undefined;
}
