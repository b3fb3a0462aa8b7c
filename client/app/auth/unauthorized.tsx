import { createContext, useContext, useEffect } from 'react';
import { isUnauthorized } from './errors.ts';

/** Called when any call answers UNAUTHORIZED: the page then asks for a token. */
export const UnauthorizedContext = createContext<() => void>(() => {});

/** Reports `error` if it is an UNAUTHORIZED answer (e.g. a subscription refused on its WebSocket). */
export function useReportUnauthorized(error: unknown): void {
  const report = useContext(UnauthorizedContext);
  const unauthorized = isUnauthorized(error);
  useEffect(() => {
    if (unauthorized) report();
  }, [unauthorized, report]);
}
