const key = 'analysis-runs.token';

/** The API token lives for this tab's session only: closing the tab forgets it. */
export const tokenStore = {
  read(): string | null {
    try {
      return sessionStorage.getItem(key);
    } catch {
      return null; // storage disabled: the token lasts until reload
    }
  },
  write(token: string | null): void {
    try {
      if (token) sessionStorage.setItem(key, token);
      else sessionStorage.removeItem(key);
    } catch {
      // see read()
    }
  },
};
