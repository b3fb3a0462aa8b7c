import type { ButtonHTMLAttributes } from 'react';

export interface FocusableButtonProps extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'disabled'> {
  /** shown and announced as disabled, and clicks are ignored */
  unavailable: boolean;
}

/**
 * A button that can be unavailable without `disabled`: a disabled button loses
 * keyboard focus (it falls to <body>), so one that disables itself when pressed
 * (Cancel, Older, Retry) would strand the keyboard user.
 */
export function FocusableButton({ unavailable, onClick, ...rest }: FocusableButtonProps) {
  return (
    <button
      type="button"
      {...rest}
      aria-disabled={unavailable || undefined}
      onClick={(event) => {
        if (!unavailable) onClick?.(event);
      }}
    />
  );
}
