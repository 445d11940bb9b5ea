import type { AppActions } from '../../App';

/** What a new user sees first: the three steps from nothing to a watched outbox. */
export function WelcomeCard({ actions }: { actions: AppActions }) {
  return (
    <div className="welcome" data-testid="welcome">
      <h2>Welcome to Outbox Monitor</h2>
      <p>It watches every message you send, explains every failure, and resends when it is safe to.</p>
      <ol className="steps">
        <li>
          <strong>Add the account you send from.</strong> Gmail, Outlook / Microsoft 365 or any SMTP server; the presets fill in
          servers and sending limits.
          <div>
            <button type="button" className="primary" onClick={() => actions.openAccounts('new')}>Add an account</button>
          </div>
        </li>
        <li>
          <strong>Point your mail-merge tool at the local relay</strong> (its address and password are on the Accounts page), or
          send from the app.
        </li>
        <li>
          <strong>Close the window.</strong> The tray icon turns orange when something needs you; failures show up here, each with
          what the provider said and what to do.
        </li>
      </ol>
    </div>
  );
}
