import { useEffect, useState } from 'react';

/** Texts this short match most failures and cost a scan of every row (no trigram to look up). */
const SHORT = 3;
/** How long a short text must stay unchanged before it is searched for. */
const SHORT_TEXT_PAUSE_MS = 250;

/**
 * The search text to ask the engine for. Three characters or more are asked for at once, on
 * every keystroke (usePagedFailures keeps one query in flight). One or two characters are
 * usually the start of a longer word: they are asked for only after a pause, so typing "cam"
 * does not first pay for the full scans of "c" and "ca". Meanwhile the list keeps the last
 * answer rather than flashing back to everything.
 */
export function useSearchText(input: string): string {
  const text = input.trim();
  const short = text.length > 0 && text.length < SHORT;
  const [asked, setAsked] = useState(text);
  useEffect(() => {
    if (!short) {
      setAsked(text);
      return;
    }
    const timer = setTimeout(() => setAsked(text), SHORT_TEXT_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [text, short]);
  return short ? asked : text;
}
