import { FocusableButton } from './FocusableButton.tsx';

export interface ErrorNoticeProps {
  /** the whole sentence, e.g. "Could not load the history: fetch failed" */
  message: string;
  onRetry: () => void;
  /** a retry is under way: the button stays focusable but does nothing */
  retrying: boolean;
}

/** A failed call, said in words, with a Retry button. */
export function ErrorNotice({ message, onRetry, retrying }: ErrorNoticeProps) {
  return (
    <div className="notice notice-error notice-actions" role="alert">
      <span>{message}</span>
      <FocusableButton className="button-quiet" unavailable={retrying} onClick={onRetry}>
        {retrying ? 'Retrying…' : 'Retry'}
      </FocusableButton>
    </div>
  );
}
