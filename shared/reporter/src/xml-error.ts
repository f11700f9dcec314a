import { XMLValidator } from 'fast-xml-parser';

/** Where XML text stops being well-formed, in words a person reads: `{ line: 3, message: 'unclosed tag <testcase>' }`. */
export interface XmlProblem {
  line: number;
  message: string;
}

const lineAt = (text: string, index: number) => text.slice(0, index).split('\n').length;

/** The line of the last `<name` opening tag in `text`, or 1. */
function lastOpening(text: string, name: string): number {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let index = -1;
  for (const match of text.matchAll(new RegExp(`<${escaped}(?=[\\s/>])`, 'g'))) index = match.index;
  return index < 0 ? 1 : lineAt(text, index);
}

/**
 * Why `text` is not well-formed XML and on which line, from fast-xml-parser's validator, reworded
 * where its message is about its own internals. `null` when the validator finds nothing wrong (or
 * cannot judge: documents with a DOCTYPE are left to the parser).
 */
export function findXmlProblem(text: string): XmlProblem | null {
  if (/<!DOCTYPE/i.test(text.slice(0, 4096))) return null;
  const result = XMLValidator.validate(text, { allowBooleanAttributes: true });
  if (result === true) return null;
  const { msg, line } = result.err;
  const mismatch = /^Expected closing tag '(.+?)' \(opened in line (\d+), col \d+\) instead of closing tag '(.+?)'\.$/.exec(msg);
  if (mismatch) return { line: Number(mismatch[2]), message: `unclosed tag <${mismatch[1]}>, closed by </${mismatch[3]}> on line ${line}` };
  const unclosed = /^Invalid '\[(.*)\]' found\.$/s.exec(msg);
  if (unclosed) {
    const open = (JSON.parse(`[${unclosed[1]}]`) as string[]).at(-1) ?? '';
    return { line: lastOpening(text, open), message: `unclosed tag <${open}>: the file ends first` };
  }
  const closing = /^Closing tag '(.+?)' has not been opened\.$/.exec(msg);
  if (closing) return { line, message: `closing tag </${closing[1]}> that was never opened` };
  return { line, message: msg.replace(/\.$/, '').replace(/^./, (first) => first.toLowerCase()) };
}
