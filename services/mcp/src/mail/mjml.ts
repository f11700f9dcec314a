import mjml2html from 'mjml';

/** MJML that did not pass strict validation; `errors` name line and tag. */
export class MjmlValidationError extends Error {
  constructor(readonly errors: string[]) {
    super(`MJML validation failed: ${errors.join('; ')}`);
  }
}

/**
 * Compiles MJML to e-mail HTML with strict validation. `fonts: {}` keeps web-font links out, so the
 * message loads nothing remote.
 */
export async function compileMjml(source: string): Promise<string> {
  let result;
  try {
    result = await mjml2html(source, { validationLevel: 'strict', fonts: {}, keepComments: false });
  } catch (error) {
    const { errors } = error as { errors?: { formattedMessage?: string; message?: string }[] };
    if (Array.isArray(errors) && errors.length > 0) throw new MjmlValidationError(errors.map((e) => e.formattedMessage ?? e.message ?? String(e)));
    throw error;
  }
  if (result.errors.length > 0) throw new MjmlValidationError(result.errors.map((e) => e.formattedMessage));
  return result.html;
}

/** Shared head: font stack, colours, and the small CSS the components cannot express. */
export const EMAIL_HEAD = `
    <mj-attributes>
      <mj-all font-family="-apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif" />
      <mj-text font-size="14px" line-height="20px" color="#1f2328" padding="4px 24px" />
      <mj-table font-size="13px" line-height="18px" color="#1f2328" padding="4px 24px" />
      <mj-section background-color="#ffffff" padding="8px 0" />
    </mj-attributes>
    <mj-style>
      .nodeid { font-family: SFMono-Regular, Consolas, Menlo, monospace; font-size: 12px; word-break: break-all; }
      .muted { color: #59636e; }
      .msg { font-family: SFMono-Regular, Consolas, Menlo, monospace; font-size: 12px; color: #9a2418; word-break: break-word; }
    </mj-style>`;

/** A text alternative's section heading. */
export const textHeading = (title: string) => `${title}\n${'-'.repeat(title.length)}`;
