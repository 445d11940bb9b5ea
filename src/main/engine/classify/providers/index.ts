import type { ProviderTable } from '../types';
import { gmail } from './gmail';
import { microsoft } from './microsoft';
import { yahoo } from './yahoo';
import { icloud } from './icloud';
import { zoho } from './zoho';
import { ses } from './ses';
import { sendgrid } from './sendgrid';
import { mailgun } from './mailgun';
import { postmark } from './postmark';
import { hosting } from './hosting';

/** Every provider table, most specific first. */
export const PROVIDER_TABLES: readonly ProviderTable[] = [gmail, microsoft, yahoo, icloud, zoho, ses, sendgrid, mailgun, postmark, hosting];
