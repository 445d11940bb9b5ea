import { firstAddress } from './addresses';
import { normMessageId, normStatus, stripType } from './values';

/**
 * The fields of a message/delivery-status part (RFC 3464): a per-message block, then one block
 * per recipient, blocks separated by blank lines. Fields may come in any order inside a block;
 * a block may also list several recipients without blank lines (a new group starts at a second
 * Final-Recipient / Original-Recipient).
 */

/** Most recipients kept from one report. */
export const MAX_RECIPIENTS = 100;
/** Most blocks read, and most (unfolded) lines read per block. */
const MAX_BLOCKS = MAX_RECIPIENTS + 20;
const MAX_LINES = 400;

export interface DsnRecipient {
  address: string;
  action: string | null;
  status: string | null;
  remoteMta: string | null;
  diagnostic: string | null;
}

export interface Dsn {
  reportingMta: string | null;
  recipients: DsnRecipient[];
  originalMessageId: string | null;
}

interface Group extends DsnRecipient {
  hasFinal: boolean;
  hasOrig: boolean;
  orig: string | null;
}

function freshGroup(): Group {
  return { address: '', action: null, status: null, remoteMta: null, diagnostic: null, hasFinal: false, hasOrig: false, orig: null };
}

function pushGroup(out: Dsn, g: Group): void {
  const address = g.address || g.orig;
  if (address && out.recipients.length < MAX_RECIPIENTS) out.recipients.push({ address, action: g.action, status: g.status, remoteMta: g.remoteMta, diagnostic: g.diagnostic });
}

/** The group a field line leaves current (a second Final- or Original-Recipient starts a new one). */
function readField(out: Dsn, g: Group, line: string): Group {
  const c = line.indexOf(':');
  if (c <= 0 || c > 40) return g;
  const name = line.slice(0, c).trim().toLowerCase();
  const value = line.slice(c + 1).trim();
  switch (name) {
    case 'reporting-mta':
      if (!out.reportingMta) out.reportingMta = stripType(value);
      break;
    case 'x-original-message-id':
    case 'original-message-id':
      if (!out.originalMessageId) out.originalMessageId = normMessageId(value);
      break;
    case 'final-recipient':
      if (g.hasFinal) {
        pushGroup(out, g);
        g = freshGroup();
      }
      g.hasFinal = true;
      g.address = firstAddress(stripType(value)) ?? '';
      break;
    case 'original-recipient':
      if (g.hasOrig) {
        pushGroup(out, g);
        g = freshGroup();
      }
      g.hasOrig = true;
      g.orig = firstAddress(stripType(value));
      break;
    case 'action':
      g.action = value.toLowerCase().split(/[\s(;]/)[0] || null;
      break;
    case 'status':
      g.status = normStatus(value);
      break;
    case 'remote-mta':
      g.remoteMta = stripType(value);
      break;
    case 'diagnostic-code':
      g.diagnostic = stripType(value);
      break;
    default:
      break;
  }
  return g;
}

function isSpaceOrTab(c: number): boolean {
  return c === 32 || c === 9;
}

/**
 * Read the fields, one physical line at a time (offsets into the text, no split or replace of the
 * whole part). The rules, written as patterns: blocks end at /\r?\n[ \t]*\r?\n/ (a blank line);
 * inside a block /\r?\n[ \t]+/ folds a line onto the one before it with one space; lines end at
 * /\r?\n/. So a line is blank when it holds only spaces and tabs and a line break follows it, and
 * it ends a block unless the line before it already did (that line break was used up); a line
 * starting with a space or tab continues the one before it unless it is the first of its block.
 */
export function parseDeliveryStatus(text: string): Dsn {
  const out: Dsn = { reportingMta: null, recipients: [], originalMessageId: null };
  let g = freshGroup();
  let blocks = 1;
  let lines = 0; // logical lines of the current block
  let line: string | null = null; // the logical line being read; null at the start of a block
  let prevEndedBlock = false;
  const n = text.length;
  let pos = 0;
  for (;;) {
    let nl = text.indexOf('\n', pos);
    const last = nl === -1;
    if (last) nl = n;
    let end = nl;
    if (!last && end > pos && text.charCodeAt(end - 1) === 13) end--;
    let lead = pos;
    while (lead < end && isSpaceOrTab(text.charCodeAt(lead))) lead++;
    if (!last && lead === end && pos > 0 && !prevEndedBlock) {
      // a blank line: the block ends
      if (line !== null && lines++ < MAX_LINES) g = readField(out, g, line);
      if (g.hasFinal || g.hasOrig) pushGroup(out, g);
      if (++blocks > MAX_BLOCKS) return out;
      g = freshGroup();
      lines = 0;
      line = null;
      prevEndedBlock = true;
    } else {
      if (lead > pos && line !== null) {
        line += ' ' + text.slice(lead, end);
      } else {
        if (line !== null && lines++ < MAX_LINES) g = readField(out, g, line);
        line = text.slice(pos, end);
      }
      prevEndedBlock = false;
    }
    if (last) break;
    pos = nl + 1;
  }
  if (line !== null && lines++ < MAX_LINES) g = readField(out, g, line);
  if (g.hasFinal || g.hasOrig) pushGroup(out, g);
  return out;
}
