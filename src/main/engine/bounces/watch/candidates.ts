// The server-side search that finds report candidates without reading every header ourselves.
// It must match at least everything `looksLikeReportCandidate` accepts (the header check still
// runs on what it returns), so each term below is a plain substring that one of that function's
// patterns implies; IMAP SEARCH matches substrings case-insensitively on decoded header values.
// Extra hits only cost a header fetch; a missing term would lose bounces, which a test checks
// against every fixture.
import type { SearchObject } from 'imapflow';

// Each search term costs the server a pass over every message's field, so the lists are short:
// one broad substring stands for several phrases (extra hits only cost a header fetch).

/** Display name or address of the sender (BOUNCE_FROM and the feedback-loop senders). */
const FROM_TERMS = [
  'daemon', // mailer-daemon, mailerdaemon, mail-daemon, mdaemon
  'postmaster',
  'post_master',
  'ndr administrator',
  'delivery', // mail delivery system / subsystem / service, delivery subsystem
  'bounce',
  'nobody@',
  'microsoftexchange',
  'mail administrator',
  'mail system',
  'amazonses',
  'no-reply@sns.amazonaws.com',
  'feedback',
  'fbl',
  'abuse',
  // mailing-list managers send their refusals ("not a member", "loop alert") from the list's admin
  // address; the header check does not take these yet, the search already finds them
  '-admin@',
];

/** Subject words of delivery reports, auto-replies and complaints. */
const SUBJECT_TERMS = [
  // delivery reports
  'deliver', // undelivered, delivery status notification / failure / failed / …, mail delivery …, non-delivery, not (been) delivered, failed delivery
  'return', // returned mail, returning message, returned to sender
  'fail', // failure notice, permanent failure
  'error', // mail system error, permanent error, errore
  'reject', // message (was) rejected
  'delay', // delayed mail, message delayed, delay(ed) notification
  'could not', // could not (be) deliver(ed), mail could not, warning: could not send
  'bounce',
  'message status',
  'ndr',
  'zustellbar', // (nicht) zustellbar, unzustellbar
  'non remis',
  'no se puede entregar',
  // auto-replies (the pattern is anchored at the start; a substring search is wider)
  'auto', // auto reply, automatic reply, autoreply, auto:, automatische antwort, réponse automatique, respuesta automática …
  'out of office',
  'out of the office',
  'ooo',
  'vacation',
  'abwesen',
  'absen', // absence, absent
  'away from',
  'on leave',
  'i am out',
  'i am away',
  "i'm out",
  "i'm away",
  'not in the office',
  'fuera de la oficina',
  '自動応答',
  '自動返信',
  '不在',
  // complaints
  'report', // abuse report, feedback report, spam report
  'complaint',
];

/** The OR-list of everything that makes a message worth a header look. */
export function candidateTerms(): SearchObject[] {
  return [
    { header: { 'x-failed-recipients': true } },
    { header: { 'content-type': 'report' } }, // multipart/report, message/feedback-report
    { header: { 'content-type': 'delivery-status' } }, // message/(global-)delivery-status
    { header: { 'auto-submitted': 'auto-' } }, // auto-replied, auto-generated, auto-notified
    { header: { 'return-path': 'mailer-daemon' } },
    { header: { 'return-path': 'postmaster' } },
    ...FROM_TERMS.map((from) => ({ from })),
    ...SUBJECT_TERMS.map((subject) => ({ subject })),
  ];
}

/** The candidate search limited to a UID range and, on a first sync, to the look-back. */
export function candidateQuery(uidRange: string, since: Date | null): SearchObject {
  return { uid: uidRange, ...(since ? { since } : {}), or: candidateTerms() };
}
