// Reads a bash command line the way bash splits it, for the bash permission rules: which simple
// commands it runs (split on `;`, `&`, `&&`, `||`, `|`, `|&`, newlines, `(`, `)`), and what it does
// that no pattern on those commands can see — command or process substitution (`$(…)`, backticks,
// `<(…)`), and output redirected into a file (`>`, `>>`, `&>`, `2>`…, but not `>/dev/null` or
// `2>&1`). Quotes as bash reads them: '…' literal, "…" with `\` escapes and substitutions,
// $'…' with `\` escapes; `#` comments; here-documents (their body is data, not commands, but an
// unquoted delimiter lets `$(…)` run inside). Not a full bash grammar: constructs it does not know
// fall into a command's text, where they fail to match an allow pattern, so the answer errs
// towards asking. No npm parser was used: shell-quote expands `$VAR` and does not recognise `$(`
// or backticks as substitutions, and bash-parser is unmaintained.

export interface ShellCommandLine {
  /** The simple commands, trimmed, in order (reserved words like `if`/`then`/`do` and redirections taken off). */
  commands: string[];
  /** What the patterns cannot judge, in words: "command substitution $(…)", "output redirection to x". */
  hazards: string[];
}

const RESERVED_PREFIX = new Set(["if", "then", "else", "elif", "while", "until", "do", "!", "{", "time"]);
const RESERVED_ALONE = new Set(["fi", "done", "esac", "}", "else", "then", "do"]);
/** Redirection targets that write no file. */
const SAFE_TARGET = /^\/dev\/(null|stdout|stderr|tty)$/;
/** `2>&1`-style duplications first, then `&>`, `>>`, `>|`, `>`, `<>` (each with an optional fd number). */
const REDIRECT = /^(\d*>&|&>>?|\d*>>?\|?|\d*<>)/;

export function parseCommandLine(line: string): ShellCommandLine {
  const commands: string[] = [];
  const hazards: string[] = [];
  const heredocs: { delimiter: string; quoted: boolean; strip: boolean }[] = [];
  let current = "";
  let i = 0;
  const n = line.length;
  const push = () => {
    let words = current.trim();
    current = "";
    for (;;) {
      const first = words.split(/\s+/, 1)[0] ?? "";
      if (!RESERVED_PREFIX.has(first) || first === words) break;
      words = words.slice(first.length).trim();
    }
    if (words && !RESERVED_ALONE.has(words)) commands.push(words);
  };
  const hazard = (what: string) => {
    if (!hazards.includes(what)) hazards.push(what);
  };
  /** Reads a word starting at i (for a redirection target or heredoc delimiter): its text and whether it was quoted. */
  const readWord = (): { text: string; quoted: boolean } => {
    while (i < n && (line[i] === " " || line[i] === "\t")) i++;
    let text = "";
    let quoted = false;
    while (i < n && !/[\s;&|()<>]/.test(line[i]!)) {
      const ch = line[i]!;
      if (ch === "'" || ch === '"') {
        quoted = true;
        const end = line.indexOf(ch, i + 1);
        const stop = end === -1 ? n : end;
        text += line.slice(i + 1, stop);
        i = stop + 1;
      } else if (ch === "\\" && i + 1 < n) {
        quoted = true;
        text += line[i + 1];
        i += 2;
      } else {
        if (ch === "$" && line[i + 1] === "(") hazard("command substitution $(…)");
        if (ch === "`") hazard("command substitution `…`");
        text += ch;
        i++;
      }
    }
    return { text, quoted };
  };
  /** Skips a quoted string starting at i (on the opening quote), scanning for substitutions in "…". */
  const skipQuoted = (): void => {
    const open = line[i]!;
    const ansi = open === "$";
    const quote = ansi ? "'" : open;
    let j = i + (ansi ? 2 : 1);
    while (j < n && line[j] !== quote) {
      if (line[j] === "\\" && quote !== "'") j++;
      else if (line[j] === "\\" && ansi) j++;
      else if (quote === '"' && line[j] === "$" && line[j + 1] === "(") hazard("command substitution $(…)");
      else if (quote === '"' && line[j] === "`") hazard("command substitution `…`");
      j++;
    }
    current += line.slice(i, Math.min(j + 1, n));
    i = j + 1;
  };
  const skipHeredocBodies = (): void => {
    for (const doc of heredocs.splice(0)) {
      for (;;) {
        if (i >= n) return;
        const end = line.indexOf("\n", i);
        const stop = end === -1 ? n : end;
        const bodyLine = line.slice(i, stop);
        i = stop + 1;
        if ((doc.strip ? bodyLine.replace(/^\t+/, "") : bodyLine) === doc.delimiter) break;
        if (!doc.quoted && /\$\(|`/.test(bodyLine)) hazard("command substitution in a here-document");
      }
    }
  };

  while (i < n) {
    const ch = line[i]!;
    const next = line[i + 1];
    if (ch === "\\") {
      if (next === "\n") i += 2; // line continuation
      else {
        current += line.slice(i, i + 2);
        i += 2;
      }
      continue;
    }
    if (ch === "'" || ch === '"' || (ch === "$" && next === "'")) {
      skipQuoted();
      continue;
    }
    if (ch === "#" && (current === "" || /\s$/.test(current))) {
      const end = line.indexOf("\n", i);
      i = end === -1 ? n : end;
      continue;
    }
    // A substitution's commands are judged like the others: split them out.
    if ((ch === "$" || ch === "<" || ch === ">") && next === "(") {
      hazard(ch === "$" ? "command substitution $(…)" : `process substitution ${ch}(…)`);
      push();
      i += 2;
      continue;
    }
    if (ch === "`") {
      hazard("command substitution `…`");
      push();
      i++;
      continue;
    }
    if (ch === "\n") {
      push();
      i++;
      skipHeredocBodies();
      continue;
    }
    if (ch === "<" && next === "<" && line[i + 2] !== "<") {
      const strip = line[i + 2] === "-";
      i += strip ? 3 : 2;
      const word = readWord();
      heredocs.push({ delimiter: word.text, quoted: word.quoted, strip });
      continue;
    }
    const atWordStart = current === "" || /\s$/.test(current);
    const redirect = ch === ">" || ch === "<" || ch === "&" || (/\d/.test(ch) && atWordStart) ? REDIRECT.exec(line.slice(i, i + 12)) : null;
    if (redirect) {
      const op = redirect[0];
      i += op.length;
      const target = readWord();
      const dup = op.endsWith(">&") && /^(\d+|-)$/.test(target.text);
      if (!dup && !SAFE_TARGET.test(target.text)) hazard(`output redirection to ${target.text || "(nothing)"}`);
      // Judged as a hazard, not as part of the command the patterns see.
      current += " ";
      continue;
    }
    if (ch === ";" || ch === "&" || ch === "|" || ch === "(" || ch === ")") {
      push();
      i++;
      continue;
    }
    current += ch;
    i++;
  }
  push();
  return { commands, hazards };
}
