import { useState } from 'react';

// Characters that change how the text around them is displayed (bidi overrides and isolates,
// zero-width marks) or that a terminal would act on. Provider replies are shown with these
// made visible, so a crafted reply cannot disguise itself.
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

export function revealInvisible(text: string): string {
  return text.replace(INVISIBLE, (c) => `⟦U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟧`);
}

/**
 * Words from outside (a provider's reply, a raw bounce) shown exactly as text: React escapes
 * them, invisible controls are made visible, and very long text is cut until asked for.
 */
export function RawText({ text, limit = 20_000, className = 'raw' }: { text: string; limit?: number; className?: string }) {
  const [all, setAll] = useState(false);
  const cut = !all && text.length > limit;
  const shown = revealInvisible(cut ? text.slice(0, limit) : text);
  return (
    <div className="raw-wrap">
      <pre className={className} dir="ltr">{shown}</pre>
      {cut && (
        <button type="button" className="link" onClick={() => setAll(true)}>
          Show all ({Math.round(text.length / 1024).toLocaleString()} KB)
        </button>
      )}
    </div>
  );
}
