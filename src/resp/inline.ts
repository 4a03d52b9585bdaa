// Inline commands (`PING\r\n`, as telnet sends them), split with Redis's sdssplitargs rules:
// whitespace separates arguments; "double quotes" take \n \r \t \b \a \\ \" and \xHH escapes;
// 'single quotes' take \' only; a closing quote must be followed by a space or the end.

export type InlineSplit = { ok: true; argv: string[] } | { ok: false };

const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' };

function isHexDigit(char: string | undefined): boolean {
  return char !== undefined && /^[0-9a-fA-F]$/.test(char);
}

function isSpace(char: string | undefined): boolean {
  return char === ' ' || char === '\n' || char === '\r' || char === '\t' || char === '\v' || char === '\f';
}

/** Splits one inline line (latin1, without its line terminator). */
export function splitInlineArgs(line: string): InlineSplit {
  const argv: string[] = [];
  let i = 0;
  while (true) {
    while (i < line.length && isSpace(line[i])) i++;
    if (i >= line.length) return { ok: true, argv };
    let current = '';
    let inDouble = false;
    let inSingle = false;
    let done = false;
    while (!done) {
      const char = line[i];
      if (inDouble) {
        if (char === undefined) return { ok: false };
        if (char === '\\' && line[i + 1] === 'x' && isHexDigit(line[i + 2]) && isHexDigit(line[i + 3])) {
          current += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (char === '\\' && line[i + 1] !== undefined) {
          i++;
          current += escapes[line[i]!] ?? line[i];
        } else if (char === '"') {
          if (i + 1 < line.length && !isSpace(line[i + 1])) return { ok: false };
          done = true;
        } else {
          current += char;
        }
      } else if (inSingle) {
        if (char === undefined) return { ok: false };
        if (char === '\\' && line[i + 1] === "'") {
          i++;
          current += "'";
        } else if (char === "'") {
          if (i + 1 < line.length && !isSpace(line[i + 1])) return { ok: false };
          done = true;
        } else {
          current += char;
        }
      } else if (char === undefined || isSpace(char)) {
        done = true;
      } else if (char === '"') {
        inDouble = true;
      } else if (char === "'") {
        inSingle = true;
      } else {
        current += char;
      }
      if (i < line.length) i++;
    }
    argv.push(current);
  }
}
