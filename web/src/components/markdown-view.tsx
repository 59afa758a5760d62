import type { ReactNode } from 'react';

/**
 * Renders the Markdown rollgate's records are written in (headings, paragraphs, lists,
 * tables, code blocks, quotes; bold, code and links inline) as React elements: no HTML
 * from the record reaches the page as markup.
 */
export function MarkdownView(props: { markdown: string }) {
  return (
    <div className="markdown">{blocks(props.markdown.replace(/\r\n/g, '\n').split('\n'))}</div>
  );
}

function blocks(lines: string[]): ReactNode[] {
  const out: ReactNode[] = [];
  let i = 0;
  let key = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (line.trim() === '') {
      i++;
      continue;
    }
    const fence = /^```/.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !/^```/.test(lines[i] ?? '')) body.push(lines[i++] ?? '');
      i++;
      out.push(
        <pre key={key++}>
          <code>{body.join('\n')}</code>
        </pre>,
      );
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const level = Math.min(6, (heading[1]?.length ?? 1) + 1);
      const Tag = `h${level}` as 'h2';
      out.push(<Tag key={key++}>{inline(heading[2] ?? '')}</Tag>);
      i++;
      continue;
    }
    if (/^\s*\|/.test(line)) {
      const rows: string[] = [];
      while (i < lines.length && /^\s*\|/.test(lines[i] ?? '')) rows.push(lines[i++] ?? '');
      out.push(table(rows, key++));
      continue;
    }
    if (/^\s*([-*]|\d+\.)\s+/.test(line)) {
      const items: string[] = [];
      const ordered = /^\s*\d+\./.test(line);
      while (i < lines.length && /^\s*([-*]|\d+\.)\s+/.test(lines[i] ?? '')) {
        items.push((lines[i] ?? '').replace(/^\s*([-*]|\d+\.)\s+/, ''));
        i++;
        while (
          i < lines.length &&
          /^\s{2,}\S/.test(lines[i] ?? '') &&
          !/^\s*([-*]|\d+\.)\s/.test(lines[i] ?? '')
        ) {
          items[items.length - 1] += ` ${(lines[i] ?? '').trim()}`;
          i++;
        }
      }
      const children = items.map((item, n) => {
        const box = /^\[([ xX])\]\s*(.*)$/.exec(item);
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: static content, never reordered
          <li key={n}>
            {box ? (
              <>
                <span aria-hidden="true">{box[1] === ' ' ? '☐ ' : '☑ '}</span>
                {inline(box[2] ?? '')}
              </>
            ) : (
              inline(item)
            )}
          </li>
        );
      });
      out.push(ordered ? <ol key={key++}>{children}</ol> : <ul key={key++}>{children}</ul>);
      continue;
    }
    if (/^>\s?/.test(line)) {
      const quoted: string[] = [];
      while (i < lines.length && /^>\s?/.test(lines[i] ?? ''))
        quoted.push((lines[i++] ?? '').replace(/^>\s?/, ''));
      out.push(<blockquote key={key++}>{blocks(quoted)}</blockquote>);
      continue;
    }
    if (/^(-{3,}|\*{3,})\s*$/.test(line)) {
      out.push(<hr key={key++} />);
      i++;
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && (lines[i] ?? '').trim() !== '' && !startsBlock(lines[i] ?? ''))
      para.push(lines[i++] ?? '');
    out.push(<p key={key++}>{paragraph(para)}</p>);
  }
  return out;
}

/**
 * A paragraph's lines run together, except where the record breaks them on purpose: a
 * line ending in two spaces or a backslash, or a next line starting with a bold label
 * (`**Date**: …`, as in the post-mortem's header).
 */
function paragraph(lines: string[]): ReactNode[] {
  let text = '';
  lines.forEach((line, n) => {
    const next = lines[n + 1];
    const hard = / {2}$|\\$/.test(line) || (next !== undefined && /^\*\*/.test(next));
    text += line.replace(/( {2}|\\)$/, '').trim();
    if (next !== undefined) text += hard ? '<br>' : ' ';
  });
  return inline(text);
}

function startsBlock(line: string): boolean {
  return /^(```|#{1,6}\s|\s*\||\s*([-*]|\d+\.)\s+|>\s?)/.test(line);
}

function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, '|'));
}

function table(rows: string[], key: number): ReactNode {
  const [head, sep, ...body] = rows;
  const hasHead = sep !== undefined && /^\s*\|?\s*:?-{2,}/.test(sep);
  const bodyRows = hasHead ? body : rows.slice(head === undefined ? 0 : 0);
  return (
    <div className="table-wrap" key={key}>
      <table>
        {hasHead && head !== undefined && (
          <thead>
            <tr>
              {cells(head).map((c, n) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: static content, never reordered
                <th key={n} scope="col">
                  {inline(c)}
                </th>
              ))}
            </tr>
          </thead>
        )}
        <tbody>
          {bodyRows.map((r, n) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: static content, never reordered
            <tr key={n}>
              {cells(r).map((c, m) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: static content, never reordered
                <td key={m}>{inline(c)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const INLINE =
  /(\*\*[^*]+\*\*|`[^`]+`|!?\[[^\]]*\]\([^)\s]+\)|<br\s*\/?>|\*[^*\s][^*]*\*|(?<![\w])_[^_\s][^_]*_(?![\w]))/g;

function inline(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  let key = 0;
  for (const m of text.matchAll(INLINE)) {
    const at = m.index ?? 0;
    if (at > last) out.push(text.slice(last, at));
    const token = m[0];
    if (token.startsWith('**')) out.push(<strong key={key++}>{token.slice(2, -2)}</strong>);
    else if (token.startsWith('`')) out.push(<code key={key++}>{token.slice(1, -1)}</code>);
    else if (token.startsWith('<br')) out.push(<br key={key++} />);
    else if (token.startsWith('*') || token.startsWith('_'))
      out.push(<em key={key++}>{token.slice(1, -1)}</em>);
    else {
      const link = /^(!?)\[([^\]]*)\]\(([^)\s]+)\)$/.exec(token);
      const label = link?.[2] ?? token;
      const href = link?.[3] ?? '';
      if (link?.[1] === '!' || !/^(https?:\/\/|\/|#)/.test(href))
        out.push(<span key={key++}>{label}</span>);
      else
        out.push(
          <a key={key++} href={href} rel="noreferrer">
            {label}
          </a>,
        );
    }
    last = at + token.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
