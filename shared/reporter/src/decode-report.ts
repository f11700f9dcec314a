/**
 * Turns report bytes into text: honours a UTF-8/UTF-16 byte order mark, then an XML declaration's
 * `encoding`, else UTF-8. The BOM and any whitespace before the first `<` or `{` are dropped.
 */
export function decodeReport(bytes: Uint8Array): string {
  let encoding = 'utf-8';
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) encoding = 'utf-16le';
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) encoding = 'utf-16be';
  else {
    const head = Buffer.from(bytes.subarray(0, 256)).toString('latin1');
    const declared = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1];
    if (declared) encoding = declared.toLowerCase();
  }
  let text: string;
  try {
    text = new TextDecoder(encoding).decode(bytes.subarray(start));
  } catch {
    text = new TextDecoder('utf-8').decode(bytes.subarray(start));
  }
  return text.replace(/^\uFEFF/, '').trimStart();
}
