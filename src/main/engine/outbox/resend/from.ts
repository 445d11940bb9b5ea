import { headerBlock } from '../mime-info';

/**
 * Rewrites From to the account's own address for a resend after send_as_denied. The original
 * From moves to Reply-To (unless there is one already), so answers still reach that address.
 * Only the header block is touched; the body stays byte for byte.
 */
export function rewriteFrom(raw: Buffer, email: string, displayName: string | null): Buffer {
  const { end } = headerBlock(raw);
  const headText = raw.subarray(0, end).toString('latin1');
  const body = raw.subarray(end);
  const eol = headText.includes('\r\n') ? '\r\n' : '\n';
  // Split into header fields, each with its folded continuation lines.
  const lines = headText.replace(/(\r?\n)+$/, '').split(/\r?\n/);
  const fields: string[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && fields.length) fields[fields.length - 1] += eol + line;
    else fields.push(line);
  }
  const fromIdx = fields.findIndex((f) => /^from\s*:/i.test(f));
  const originalFrom = fromIdx >= 0 ? fields[fromIdx].replace(/^from\s*:\s*/i, '') : null;
  const name = displayName ? `"${displayName.replace(/["\\\r\n]/g, '')}" ` : '';
  const newFrom = `From: ${name}<${email}>`;
  if (fromIdx >= 0) fields[fromIdx] = newFrom;
  else fields.unshift(newFrom);
  if (originalFrom && !fields.some((f) => /^reply-to\s*:/i.test(f))) fields.splice(fromIdx + 1, 0, `Reply-To: ${originalFrom}`);
  return Buffer.concat([Buffer.from(fields.join(eol) + eol + eol, 'latin1'), body]);
}
