import type { Category } from '../../../shared/categories';
import type { SmtpStage } from '../../../shared/classification';

/**
 * Wording rules: phrases servers use, in our own generalisation of RFC 5321 / RFC 3463 reply
 * texts and the providers' documented wordings. Text keywords beat a generic enhanced code
 * (PROVIDERS.md section 2), so these are tried before the enhanced-code table.
 *
 * A rule gives one category, or one per perspective:
 * - own: a reply inside the app's own submission session (connect … data): about the sender's account
 * - remote: relayed from a remote server in a bounce (after-data): usually about the recipient
 * All patterns are tested on lower-cased text of bounded length and contain only bounded
 * repetition, so they run in linear time.
 */
export interface WordingRule {
  id: string;
  /**
   * A cheap pre-check: plain words, at least one of which every match of `re` contains (checked
   * by a test). Literal alternations run several times faster than the full pattern.
   */
  gate?: RegExp;
  re: RegExp;
  category: Category | ((stage: SmtpStage | null) => Category);
}

const own = (s: SmtpStage | null) => s === 'connect' || s === 'tls' || s === 'auth' || s === 'mail' || s === 'rcpt' || s === 'data';
const submission = (s: SmtpStage | null) => s === 'auth' || s === 'mail' || s === 'data' || s === 'connect';

export const WORDING_RULES: readonly WordingRule[] = [
  // credentials that expired are an auth problem, not an expired delivery
  { id: 'wording/credentials-expired',
    gate: /expired|revoked/, re: /(password|token|credentials?) (has |have )?(been )?(expired|revoked)|expired or revoked/, category: 'auth_failed' },

  // the account's own caps per hour / day
  {
    id: 'wording/sending-limit',
    gate: /quota|limit|daily|hourly|monthly|max|too many|credits|per /,
    re: /daily (user )?(sending|send|smtp relay|message|recipient|email|mail) ?(quota|limit)|(sending|send|outgoing|outbound|message|messages|email|emails|mail|recipient|relay) (quota|limit)s? (has been |was |is )?(exceeded|reached|hit)|(hourly|daily|monthly) (quota|limit|sending)|(exceeded|reached|over) (the |your |its |their )?(hourly |daily |monthly )?(sending|send|message|recipient|email|mail|outgoing) (quota|limit|rate limit)|max(imum)? (number of )?(emails|messages|mails|recipients) (per|an|a) (hour|day)|too many (messages|emails|mails|recipients) (sent )?((this|per|in the last|in an|in a) (hour|day|24 hours)|today)|too many (messages|emails|recipients) (sent )?from (your|this) (account|user) today|limit for (sending|message recipients)|credits exceeded|quota of (emails|messages)|emails? per (hour|day) (limit )?(exceeded|reached)|exceeded the max emails|limit on the number of (allowed )?(outgoing |sent )?(messages|emails|recipients)/,
    category: 'sending_limit',
  },
  // a remote server counting our messages to one of its users
  { id: 'wording/recipient-receiving-rate',
    gate: /receiv|too many/, re: /receiving mail (at a rate|too quickly)|recipient (is )?receiving (too many|mail)|received this hour|too many (messages|emails) (for|to) this (recipient|user|mailbox)/, category: 'remote_temporary' },

  // not allowed to send as this From address
  {
    id: 'wording/send-as-denied',
    gate: /denied|owned|to send|sending as|from address|verified|identities|sender|from' address|disallowed/,
    re: /send ?as ?denied|sendasdenied|sending as (this|that|the) (user|address|sender) is not (allowed|permitted)|not owned by (auth(enticated)? )?user|sender address rejected: not owned|not (allowed|authori[sz]ed|permitted) to send (as|on behalf|from (this|that|the) (address|email))|not authori[sz]ed to send on behalf|from address (is )?not (verified|allowed|authori[sz]ed|one of)|address is not verified|identities failed the check|verified sender identity|sender (address )?(is )?not (verified|allowed|permitted|registered)|sender signature|from' address you supplied|does not have permissions? to send|mail from address (is )?not allowed|relaying disallowed as/,
    category: 'send_as_denied',
  },

  // the sending account itself is suspended, blocked or not activated
  {
    id: 'wording/sender-account-blocked',
    gate: /outboundspam|outbound|banned|account|activat|outgoing|paused|suspended|disabled|unusual|originating|access to smtp|blocked/,
    re: /outboundspam|banned sender|bad outbound sender|unusual sending activity|(failed|error|denied)[:,;]? (your |the )?account (is |has been )?(disabled|suspended|locked|blocked)|(smtp|sending|your|sender|user) account (is |has been )?(suspended|disabled|blocked|locked|deactivated|not (yet )?activated|banned|restricted)|not yet activated|please activate your|activate your account|outgoing (mail |email |messages? )?(is |has been )?(blocked|suspended|disabled)|(sending|outgoing mail) (has been )?(paused|suspended|disabled) for|unusual (amount|volume) of (unsolicited|spam) (email|mail)? ?originating|originating from your (address|account)|your access to smtp|user is blocked from sending|account (is )?pending approval/,
    category: (s) => (own(s) ? 'account_suspended' : s === 'after-data' ? 'rejected_policy' : 'account_suspended'),
  },

  // login rejected
  {
    id: 'wording/auth-failed',
    gate: /auth|password|login|user|credential|logged in|log in|invalid_|aadsts/,
    re: /(?<!temporary )authentication (failed|unsuccessful|required|rejected|credentials invalid|is required|failure)|auth(entication)? (mechanism|method) |username and password not accepted|(invalid|bad|incorrect|wrong) (login|username|user name|password|credentials|user or password)|login (failed|denied|incorrect|rejected)|(not|must be) (logged in|authenticated)|unauthenticated(?! (e-?mails?|mails?|messages?|senders? (is|are) not|domains?) )|not authenticated|don't know anyone with those credentials|application-specific password|app password|please log in (via|with) your (web )?browser|smtp auth(entication)? (is )?(disabled|not enabled)|invalid_grant|invalid_client|aadsts\d|credentials (were |are )?(rejected|not accepted|invalid)|access denied for user/,
    category: (s) => (s === 'after-data' ? 'rejected_policy' : 'auth_failed'),
  },

  // the recipient's mailbox (or, at submission, the sender's own mailbox) is full
  {
    id: 'wording/mailbox-full',
    gate: /box|quota|exceed|not enough|storage|user|full|voll|postfach|speicherplatz|pleine|llena|lleno|piena|buzón|vol/,
    re: /mail ?box (is |was )?(full|over (its )?quota|size limit exceeded|quota exceeded|limit exceeded)|mailbox ?full|over ?quota|(mailbox|disk|storage|mail|user|account) quota (usage )?(exceeded|reached|full)|quota (exceeded|full)(?! for (sending|messages|emails))|exceeded (the |their |its |his |her )?(storage|disk|mailbox|quota)|not enough (space|storage) (in|for) (the )?(mailbox|account)|storage (quota|limit|space) (exceeded|reached|full)|user('s)? (mailbox|disk|account) is (over|full)|mailfolder is full|recipient'?s? mailbox is full|exceeds? (the )?(mailbox|recipient'?s?) (size|quota|storage)|exceeded storage allocation|mailbox (size )?exceeds|would exceed (the )?quota|size of (the )?mailbox|postfach (ist )?(voll|überfüllt)|speicherplatz|boîte (aux lettres )?(est )?pleine|boite (aux lettres )?(est )?pleine|casilla (llena|está llena)|buzón (lleno|está lleno)|casella (piena|è piena)|mailbox (is )?vol/,
    category: (s) => (submission(s) ? 'sender_quota_full' : 'recipient_mailbox_full'),
  },

  // message too big
  {
    id: 'wording/too-large',
    gate: /too |size|length|larger|exceeds/,
    re: /message (file |size )?(is )?too (big|large|long)|(message|mail|email|file) size (exceeds|exceeded|is over|too|larger|limit)|size (limit )?(exceeds|exceeded)|exceeds? (the )?(fixed )?(max(imum)?|allowed|permitted) (allowed |permitted )?(message |mail |email )?size|exceeds (the )?size limit|message length exceeds|larger than (the )?(allowed|maximum|permitted|max)|maxsizeerror|size limits?|too large|message exceeds (the )?(maximum|limit)/,
    category: 'message_too_large',
  },

  // server storage trouble (not a mailbox quota)
  { id: 'wording/system-storage',
    gate: /insufficient|disk|no space|system/, re: /insufficient (system )?(disk )?(space|storage|resources)|disk (is )?full|no space left|system (storage|disk) (is )?full|mail system full/, category: (s) => (own(s) ? 'provider_outage' : 'remote_temporary') },

  // a deferral or rate limit because of the sender's reputation is a block in effect, not plain pacing
  // (Microsoft NDR 4.7.650-4.7.652 "rate limited due to IP reputation"; Yahoo 421 4.7.0 [TSS04])
  { id: 'wording/reputation-deferral',
    gate: /reputation|whitelist|allowlist|white list|allow list/, re: /(rate limited|throttled|deferred|limited|blocked)[^.;]{0,30} (due to|because of|for) [^.;]{0,20}reputation|not (in|on) (the |our )?(whitelist|allowlist|white list|allow list)/, category: 'rejected_policy' },

  // throttling: too fast, too many connections
  {
    id: 'wording/throttled',
    gate: /rate|frequency|throttl|too |per |slow|max|concurrent|exceeded/, // Postfix's anvil: "450 4.7.1 Error: too much mail from …"
    re: /rate[- ]?limit|frequency limit|throttl|too many recipients|too many (login|auth|authentication|failed login) (attempts|failures)|too many (connections|concurrent|sessions|simultaneous|requests|messages in (this|one|a) (session|connection))|(sending|connection|message) rate (exceeded|too high)|(messages|emails|mails|connections) per (second|minute)|too (fast|frequent)|too much (mail|email|traffic)|slow down|max(imum)? (number of )?(messages|connections|sessions) (per|from|reached|exceeded)|max message per connection|concurrent (connections|sessions)|too many (errors|bad commands)|exceeded (the )?(connection|concurrency)/,
    category: (s) => (own(s) ? 'throttled' : s === 'after-data' ? 'remote_temporary' : 'throttled'),
  },

  // directory look-ups that failed (Lotus Domino, Exchange address books)
  { id: 'wording/not-in-directory',
    gate: /directory|address book|not listed in/, re: /not listed in (the )?([a-z]{1,20} )?(directory|address book|names)|not (found )?in (the )?(domino |public |global )?(directory|address book)/, category: 'recipient_unknown' },

  // refused at the greeting or at MAIL FROM: about the sender, not the recipient
  { id: 'wording/sender-refused',
    gate: /refused|mail from|sender/, re: /refused to talk to me|(after|in reply to) mail from|>>> mail from|sender was rejected|sender (address )?(is )?(refused|denied|blocked)|unroutable sender|mail from:?<[^>]{0,200}>[^.;]{0,30} (rejected|refused|denied)/, category: 'rejected_policy' },

  // the recipient's account exists but is disabled / suspended / inactive
  {
    id: 'wording/recipient-disabled',
    gate: /disabled|suspended|deactivated|inactiv|locked|frozen|discontinued|closed|expired|on hold|no longer active|not accepting|not receiving|blocked/,
    re: /(account|mail ?box|user|recipient|address) (is |has been |was )?(currently )?(disabled|suspended|deactivated|inactive|locked|frozen|discontinued|closed|expired|on hold)|(disabled|inactive|suspended|deactivated|locked|expired|closed|frozen) (user|account|mail ?box|recipient|address)|disabled recipient|disableduser|no longer active|inactivity|(mail ?box|account|user) (is |has been )?(blocked|locked) (due to|for|because of) (inactivity|non-?payment|abuse)|incoming (mail )?(is )?suspended|not (accepting|receiving) (mail|email|messages)|temporarily (disabled|deactivated)/,
    category: (s) => (submission(s) ? 'account_suspended' : 'recipient_suspended'),
  },

  // policy on the sender side before any address checks: sender domain not found, client host rejected, PTR
  {
    id: 'wording/sender-rejected',
    gate: /sender|client host|your |reverse|ptr|rdns|helo|ehlo|envelope|mail from/,
    re: /sender address rejected|client host rejected|sender domain (not found|does not exist|must exist|is empty|unknown)|your (host ?name|hostname|helo)|cannot find your (reverse )?hostname|reverse (dns|lookup|hostname)|\bptr\b|\brdns\b|helo command rejected|bad (helo|ehlo)|invalid helo|sender verify failed|sender verification|unverifiable sender|envelope blocked|mail from address (rejected|not allowed)|domain of sender address|sender (address|domain) has (a )?null mx/,
    category: 'rejected_policy',
  },

  // relaying denied: in our own session it means we were not authenticated
  {
    id: 'wording/relay-denied',
    gate: /relay/,
    re: /relay(ing)? (access )?(denied|not (permitted|allowed)|prohibited|disallowed|rejected)|(unable|not permitted|not allowed|not authori[sz]ed) to relay|we do not relay|no relaying|relay not permitted|authentication required for relay/,
    category: (s) => (own(s) ? 'auth_failed' : 'rejected_policy'),
  },

  // reputation, blocklists, authentication (SPF / DKIM / DMARC), compliance
  {
    id: 'wording/blocklist',
    gate: /list|spam|sorbs|barracuda|dnsbl|rbl|sbl|xbl|pbl|cloudmark|block|reputation|banned|bloqu/,
    re: /block ?list|black ?list|deny ?list|denylisted|blocklisted|blacklisted|spamhaus|spamcop|sorbs|barracudacentral|\bdnsbl|\brbl\b|\bsbl\b|\bxbl\b|\bpbl\b|cloudmark|listed (at|in|on|by)|blocked using|reputation|(ip|host|address|client|sender|network)[^.;]{0,40} (is |has been )?(blocked|banned|bloquee|bloqu|listed)|poor reputation|ip (address )?(is )?(blocked|listed|banned)|bloquee|dnsbl/,
    category: 'rejected_policy',
  },
  {
    id: 'wording/authentication-policy',
    gate: /spf|dkim|dmarc|arc |policy|authenticat|domain|align/,
    re: /\bspf\b|\bdkim\b|\bdmarc\b|\barc\b (validation|fail)|sender policy framework|authentication level|not (properly )?authenticated (sender|domain)|unauthenticated (email|mail|sender)|sender not authenticated|domain ?keys|alignment|not aligned/,
    category: 'rejected_policy',
  },

  // spam, virus and content filters
  {
    id: 'wording/content',
    gate: /virus|malware|infected|trojan|worm|phish|spam|unsolicited|junk|bulk|content|suspicious|attachment|file|extension|executable|uribl|surbl|like|score|not allowed|objectionable|dangerous|harmful|security/,
    re: /virus|malware|infected|trojan|worm |phish|spam|unsolicited|junk|bulk (mail|email)|content (rejected|filter|policy|not accepted|scanner|scan)|message content|rejected (due to|because of|for) (its )?content|suspicious (content|link|url|attachment)|(attachment|file) (type )?(is )?(not allowed|blocked|rejected|prohibited|forbidden)|(banned|illegal|prohibited|forbidden|unsafe|dangerous) (attachment|file|content)|banned file type|blocked (attachment|file|content|extension)|executable|uribl|surbl|message (looks|looked) like|scored as|high (spam )?score|message not allowed|objectionable|dangerous|harmful|security (issue|threat|risk)/,
    category: 'rejected_content',
  },

  // a bounce that reports a connection failure: the relaying server gave up after its retries
  {
    id: 'wording/connect-failed-final',
    gate: /connect|establish an smtp/,
    re: /did not accept our requests to connect|(wasn't|was not|were not|weren't) able to establish an smtp connection|connect to [^ ]{1,255}( ?\[[^\]]{1,64}\])?(:\d{1,5})?: (connection (timed out|refused)|no route to host|network is unreachable|host is unreachable)/,
    category: (s) => (s === 'after-data' ? 'delivery_expired' : s === null ? 'delivery_expired' : 'provider_outage'),
  },
  // delivery gave up after retries
  {
    id: 'wording/expired',
    gate: /expired|timed out|retry|too long|try again|giving up|gave up|could not|unable to deliver|has not been delivered|no successful|maximum|delivery attempt|suspended|attempts|times|days|lifetime|failing for a long time/,
    re: /(message|delivery|retry|queue|mail|envelope)[^.;]{0,20} (time )?(expired|timed out)|retry (time(out)?|period) (exceeded|expired|reached)|(queued|in queue|undeliver(ed|able)) (for )?too long|too long in (the )?queue|in the queue too long|not going to try again|giving up(?! on [0-9a-f:.]{3,45}\b)|gave up|could not be delivered (for|within|in) (\d|the last)|unable to deliver (in|for|within) \d|has not been delivered[^.;]{0,40} (days|hours)|no successful delivery|maximum (time|number of (retries|delivery attempts))|delivery attempts? (exceeded|failed \d)|delivery temporarily suspended|message expired|expired after|(failed|attempts?)[^.;]{0,10} \d+ (attempts|times|days)|lifetime|could not (be )?deliver(ed)? (the message )?(for|in|within) (the last )?\d|failing for a long time/,
    category: 'delivery_expired',
  },

  // the recipient's domain does not exist or takes no mail
  {
    id: 'wording/domain',
    gate: /host|domain|mx|name serv|control\/|unroutable|route|resolve|dns|accept|destination|loops back|mail exchanger|domaine/,
    re: /host (or domain name )?(not found|unknown)|(?<!user )unknown host|(domain|host ?name|domain name) (not found|does not exist|doesn't exist|unknown|is invalid|invalid|not registered|has no)|no such (domain|host)|non-?existent (domain|host)|nxdomain|no mx( record)?|mx (record|lookup) (not found|failed)|null mx|name service error|name server|unrouteable (mail )?domain|(?<!sender address )unroutable(?! sender)|unable to route|no route to (domain|destination)|could not (be )?resolve|dns (error|lookup|failure|resolution)|domain (is )?not (reachable|configured|valid|allowed)|domain does not accept|does not accept mail|accepts no mail|bad destination (system|host)|mail for [^ ]{1,100} loops back|not (a )?(local|hosted) domain|domain isn't in my list|unknown domain|invalid domain|no valid (mx|host)|host not reachable|destination (host|domain) unreachable|(couldn't|could not|cannot|can't|unable to) find (any )?(host|mail exchanger|mx)|no host named|the domain [^ ]{1,255} (couldn't|could not|can't|cannot) be found|control\/locals file|control\/rcpthosts|domaine inexistant|domain existiert nicht/,
    category: 'recipient_domain',
  },

  // Microsoft NDR 5.4.1 "Recipient address rejected: Access denied": directory-based edge blocking
  // refused an address that is not in the organisation's directory
  { id: 'wording/dbeb', gate: /access denied/, re: /\b5\.4\.1 recipient address rejected: access denied/, category: 'recipient_unknown' },
  // RFC 5321 4.2.2 default text of 450: "mailbox unavailable (e.g., mailbox busy or temporarily blocked for policy reasons)"
  { id: 'wording/rfc5321-450', gate: /mailbox unavailable|mailbox busy/, re: /(?:^|[\s:;])45[0-2][ -](4\.\d{1,3}\.\d{1,3} )?requested (mail )?action not taken: mailbox (unavailable|busy)/, category: (s) => (own(s) ? 'provider_outage' : 'remote_temporary') },

  // the address does not exist
  {
    id: 'wording/user-unknown',
    gate: /user|unknown|no such|exist|not found|invalid|valid|bad |mailbox|account|known|available|in use|server|moved|no longer|listed|unrouteable|have|customer|recipnotfound|undeliverable|rcpt to|illegal|found|check|verify|unbekannt|gefunden|inconnu|existe|desconocido|sconosciuto|inesistente|esiste|onbekend|bestaat/,
    re: /user ?(unknown|not found|not exist|doesn't exist|does not exist|invalid)|unknown (user|recipient|mailbox|address|local[- ]?part|alias|account)|no such (user|mailbox|recipient|address|account|person|local user|alias)|(user|mail ?box|recipient|address|account|addressee|e-?mail account)( name)? (does not|doesn't|does ?n.t|did not) exist|(recipient|mailbox|address|account|addressee|destination) (not found|unknown|invalid|does not exist)|invalid (recipient|mailbox|address|user|e-?mail address|destination)|not a valid (mailbox|recipient|address|user|rfc[- ]?5321)|bad (destination )?(recipient|mailbox|address)|mailbox (not found|unavailable|does not exist|not available)|no (mailbox|account) (here|by that name|for)|not (a )?known user|is not a (valid|known) (user|recipient)|(address|user|mailbox|recipient) (is )?(no longer|not) (valid|available|in use|on (this )?server)|no longer on server|addressee unknown|has moved|moved permanently|no longer (at|with|employed)|not listed in|unrouteable address|(this|that) (user|account) doesn't have|does not have an? (account|mailbox)|not our customer|recipnotfound|undeliverable address|rcpt to[^.;]{0,40} (rejected|refused)|account (does not|doesn't) exist|mailbox (name )?(not allowed|invalid)|illegal alias|user (doesn't|does not) have|not exist|doesn't exist|does not exist|couldn't be found|could not be found|unknown or illegal|no valid recipients?|(address|recipient|user|mailbox)( name)? (was|is) not found|was not found in|unbekannt|existiert nicht|nicht gefunden|utilisateur inconnu|destinataire inconnu|adresse inconnue|n'existe pas|usuario desconocido|no existe|utente sconosciuto|indirizzo inesistente|non esiste|onbekend|bestaat niet|(check|verify) (if |that |whether )?(the )?(recipient'?s? )?(e-?mail )?address (is )?(correct|spelled|for typos)|invalid user address/,
    category: 'recipient_unknown',
  },

  // protocol / settings problems in our own session
  {
    id: 'wording/config',
    gate: /tls|encryption|ssl|version|certificate|signed|verify|hostname|greeting|unexpected|helo|ehlo|syntax|command|sequence|protocol/,
    re: /must issue a starttls|starttls (is )?required|tls (is )?required|encryption required|must use (tls|ssl|starttls)|wrong version number|ssl routines|certificate|self[- ]signed|unable to verify|hostname\/ip does not match|invalid greeting|greeting never received|unexpected (greeting|response)|(send|say|issue|use) (helo|ehlo)|(helo|ehlo) (first|argument|required|expected)|helo\/ehlo|empty (helo|ehlo)|syntax error|command (not recognized|unrecognized)|unrecognized command|bad sequence of commands|protocol error/,
    category: (s) => (s === 'after-data' ? 'unknown' : 'config_error'),
  },

  // greylisting and explicit retry requests
  { id: 'wording/greylisted', re: /greylist|graylist|grey-list|gray-list|try again later|please retry|retry (again )?later/, category: (s) => (own(s) ? 'provider_outage' : 'remote_temporary') },

  // a refused recipient without a more specific reason
  { id: 'wording/recipient-rejected', re: /(recipient (address )?(rejected|refused|not accepted)|rcpt to[^.;]{0,40} (rejected|refused))(?![^.;]{0,40}(policy|blocked|spam|rbl|listed|dmarc|spf|reputation|relay|content))/, category: 'recipient_unknown' },

  // plain policy refusals that named nothing more specific
  {
    id: 'wording/policy',
    re: /policy|prohibited|not (rfc|rfc ?5322|rfc ?2822)[- ]?compliant|rfc ?(5322|2822|822|5321)|not compliant|administrative(ly)? prohibit|access denied|(not|isn't) (allowed|authori[sz]ed|permitted)|denied|(?<!recipient (address )?|temporarily |temporary )(refused|rejected)|blocked/,
    category: 'rejected_policy',
  },

  // RFC 5321 4.2.3: 554 "Transaction failed" / Sendmail's access-db "554 5.0.0 Service unavailable": a permanent
  // refusal of the connecting host; 4xx "service unavailable" stays temporary (below)
  { id: 'wording/service-unavailable-permanent',
    gate: /service unavailable|service not available/, re: /(?:^|[\s:;])5\d\d[ -]#?(5\.\d{1,3}\.\d{1,3} )?(\S{1,80} )?(service unavailable|service not available)/, category: 'rejected_policy' },

  // mail loops
  { id: 'wording/loop', gate: /loop|hop/, re: /mail loop|loop detected|loops back to myself|routing loop|too many hops|hop count exceeded/, category: (s) => (own(s) ? 'provider_outage' : 'remote_temporary') },

  // temporary problems of a server
  {
    id: 'wording/temporary',
    gate: /try|temporar|list|defer|available|system|server|error|insufficient|busy|memory|connection|time|network|delayed/,
    re: /try again later|please try again|temporar(il)?y|greylist|graylist|deferred|defer|service (is )?(currently )?(not )?(un)?available|system (error|busy|overload|failure)|resources? (temporarily )?unavailable|server (error|busy|is busy|overload)|local error|insufficient system (storage|resources)|too busy|out of memory|i\/o error|connection (timed out|reset|refused|closed|lost|dropped)|timed? ?out|time-out|internal (server )?error|mail system (error|failure)|queue (file )?(write )?error|lost connection|network (error|unreachable)|unavailable|try later|retry later|(has been|is being|was) delayed|delivery (is )?delayed/,
    category: (s) => (own(s) ? 'provider_outage' : 'remote_temporary'),
  },
];

/** Wording of an expired / given-up delivery that is ok to search in a whole bounce text. */
export const EXPIRED_RE = WORDING_RULES.find((r) => r.id === 'wording/expired')!.re;
