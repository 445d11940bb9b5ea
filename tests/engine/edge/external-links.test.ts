import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron'));

import { shell, resetFakeElectron } from './fake-electron';
import { checkExternalUrl, openExternal } from '../../../src/main/electron/external-links';

beforeEach(() => resetFakeElectron());

describe('checkExternalUrl', () => {
  it.each([
    ['https://support.google.com/mail/answer/185833', 'https://support.google.com/mail/answer/185833'],
    ['https://myaccount.google.com/apppasswords', 'https://myaccount.google.com/apppasswords'],
    ['https://support.microsoft.com/en-us/office/pop-imap-and-smtp-settings', 'https://support.microsoft.com/en-us/office/pop-imap-and-smtp-settings'],
    ['https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/send-receive-emails-socketerror', 'https://learn.microsoft.com/en-us/exchange/troubleshoot/email-delivery/send-receive-emails-socketerror'],
    ['https://help.yahoo.com/kb/SLN15241.html?x=1#top', 'https://help.yahoo.com/kb/SLN15241.html?x=1#top'],
    ['https://appleid.apple.com/account/manage', 'https://appleid.apple.com/account/manage'],
    ['https://www.fastmail.com/', 'https://www.fastmail.com/'],
    // the OAuth2 sign-in pages the reconnect flow opens
    ['https://accounts.google.com/o/oauth2/v2/auth?client_id=x&code_challenge_method=S256', 'https://accounts.google.com/o/oauth2/v2/auth?client_id=x&code_challenge_method=S256'],
    ['https://login.microsoftonline.com/common/oauth2/v2.0/authorize?client_id=x', 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize?client_id=x'],
    // the parser's normal form is what gets opened: default port dropped, dot segments resolved
    ['https://support.google.com:443/a/../mail', 'https://support.google.com/mail'],
    ['https://SUPPORT.GOOGLE.COM/mail', 'https://support.google.com/mail'],
  ])('allows %s', (raw, opened) => {
    expect(checkExternalUrl(raw)).toEqual({ ok: true, url: opened });
  });

  it.each([
    ['http://support.google.com/mail', 'not https'],
    ['HTTPS://support.google.com/mail', 'not https'],
    ['javascript:alert(1)', 'not https'],
    ['javascript://support.google.com/%0aalert(1)', 'not https'],
    ['file:///etc/passwd', 'not https'],
    ['data:text/html,<script>alert(1)</script>', 'not https'],
    ['vbscript:msgbox', 'not https'],
    ['ftp://support.google.com/', 'not https'],
    ['//support.google.com/mail', 'not https'],
    ['support.google.com', 'not https'],
    ['https://support.google.com.evil.test/mail', 'host not allowed'],
    ['https://evil.test/?support.google.com', 'host not allowed'],
    ['https://evil.test/#https://support.google.com', 'host not allowed'],
    ['https://evil.test/support.google.com', 'host not allowed'],
    ['https://support.google.com@evil.test/', 'credentials'],
    ['https://user:pass@support.google.com/', 'credentials'],
    ['https://support.google.com:pass@evil.test/', 'credentials'],
    ['https://support.google.com:8443/', 'port'],
    ['https://support.google.com:80/', 'port'],
    ['https://support.google.com./mail', 'host not allowed'],
    ['https://evilsupport.google.com/', 'host not allowed'],
    ['https://google.com/', 'host not allowed'],
    ['https://support-google.com/', 'host not allowed'],
    ['https://support.google.co/', 'host not allowed'],
    ['https://xn--suport-google-ddb.com/', 'punycode'],
    ['https://support.xn--ggle-0nda.com/', 'punycode'],
    ['https://suppоrt.google.com/', 'non-ASCII'], // Cyrillic о
    ['https://support．google．com/', 'non-ASCII'], // full-width dots
    ['https://support.google.com\\@evil.test/', 'backslash'],
    ['https:\\\\evil.test\\support.google.com', 'backslash'],
    ['https://evil.test\\.support.google.com/', 'backslash'],
    [' https://support.google.com/', 'non-ASCII'],
    ['https://support.google.com/\nSet-Cookie:x', 'non-ASCII'],
    ['https://support.google.com/\u202eexe.pdf', 'non-ASCII'],
    ['https://support.google.com/\u0000', 'non-ASCII'],
    ['https://127.0.0.1/', 'host not allowed'],
    ['https://[::1]/', 'host not allowed'],
    ['https://0x7f000001/', 'host not allowed'],
    ['https:support.google.com', 'not https'],
    ['https:/support.google.com', 'not https'],
    ['', 'empty'],
    ['https://support.google.com/' + 'a'.repeat(3_000), 'too long'],
  ])('refuses %j', (raw, reason) => {
    const check = checkExternalUrl(raw);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toContain(reason);
  });

  it.each([undefined, null, 42, { href: 'https://support.google.com/' }, ['https://support.google.com/']])('refuses non-strings (%j)', (raw) => {
    expect(checkExternalUrl(raw).ok).toBe(false);
  });
});

describe('openExternal', () => {
  it('hands only allowed, normalised URLs to the shell', async () => {
    await openExternal('https://support.google.com:443/mail');
    await openExternal('https://support.google.com.evil.test/');
    await openExternal('file:///etc/passwd');
    expect(shell.opened).toEqual(['https://support.google.com/mail']);
  });
});
