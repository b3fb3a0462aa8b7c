import { useId, useState, type FormEvent } from 'react';

/** Asks for an API token: the server has API_TOKENS set and refused a call without a (valid) one. */
export function TokenForm({ refused, onSubmit }: { refused: boolean; onSubmit: (token: string) => void }) {
  const [token, setToken] = useState('');
  const [visible, setVisible] = useState(false);
  const id = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (token.trim()) onSubmit(token.trim());
  };
  return (
    <section className="panel token-panel" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Sign in with an API token</h2>
      <p>
        This server runs with <code>API_TOKENS</code>: every call needs a token.
      </p>
      {refused && (
        <p className="notice notice-error" role="alert">
          The server refused that token. Check it and try again.
        </p>
      )}
      <form onSubmit={submit} className="token-form">
        <label htmlFor={id}>API token</label>
        <div className="token-input">
          <input
            id={id}
            name="token"
            type={visible ? 'text' : 'password'}
            autoComplete="off"
            spellCheck={false}
            required
            autoFocus
            value={token}
            onChange={(e) => setToken(e.target.value)}
          />
          <button type="button" className="button-quiet" onClick={() => setVisible(!visible)} aria-pressed={visible}>
            {visible ? 'Hide' : 'Show'}
          </button>
        </div>
        <small className="field-hint">Kept in this tab only (session storage) until you sign out or close it.</small>
        <div className="form-actions">
          <button type="submit" className="button-primary">
            Continue
          </button>
        </div>
      </form>
    </section>
  );
}
