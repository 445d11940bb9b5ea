// Placeholder until the classifier work lands its advice table (owned by the classifier issue).
import type { Category } from './categories';
export type AdviceActionId = 'reconnect' | 'resend' | 'resend_without_attachments' | 'resend_from_own_address' | 'edit_account' | 'unsuppress' | 'none';
export interface Advice {
  summary: string;
  willRetry: string;
  action: { id: AdviceActionId; label: string } | null;
  steps: string[];
}
export function adviceFor(category: Category): Advice {
  return { summary: category, willRetry: '', action: null, steps: [] };
}
