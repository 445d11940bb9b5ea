import { useCallback, useRef, useState } from 'react';

export interface Toast {
  id: number;
  text: string;
  tone: 'ok' | 'error';
}

export function useToasts() {
  const [items, setItems] = useState<Toast[]>([]);
  const next = useRef(1);
  const dismiss = useCallback((id: number) => setItems((all) => all.filter((t) => t.id !== id)), []);
  const push = useCallback(
    (text: string, tone: 'ok' | 'error' = 'ok') => {
      const id = next.current++;
      setItems((all) => [...all.slice(-3), { id, text, tone }]);
      setTimeout(() => dismiss(id), tone === 'error' ? 8000 : 4000);
    },
    [dismiss],
  );
  return { items, push, dismiss };
}

export function Toasts({ items, onDismiss }: { items: Toast[]; onDismiss(id: number): void }) {
  return (
    <div className="toasts" role="status" aria-live="polite">
      {items.map((t) => (
        <div key={t.id} className={`toast toast-${t.tone}`}>
          <span>{t.text}</span>
          <button type="button" className="link" aria-label="Dismiss" onClick={() => onDismiss(t.id)}>×</button>
        </div>
      ))}
    </div>
  );
}
