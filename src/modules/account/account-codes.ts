/** Audit actions of sign-in and sessions (the audit trail's `action` column). */
export const AccountAction = {
  SIGN_IN: 'SIGN_IN',
  SIGN_IN_FAILED: 'SIGN_IN_FAILED',
  ACCOUNT_LOCKED: 'ACCOUNT_LOCKED',
  REFRESH_REUSED: 'REFRESH_REUSED',
  SIGN_OUT: 'SIGN_OUT',
  PASSWORD_CHANGED: 'PASSWORD_CHANGED',
  PASSKEY_REGISTERED: 'PASSKEY_REGISTERED',
} as const;

/** Session end reasons kept on auth_session.revoked_reason. */
export const EndReason = {
  SIGN_OUT_EVERYWHERE: 'SIGN_OUT_EVERYWHERE',
  ENDED_BY_ADMIN: 'ENDED_BY_ADMIN',
  PASSWORD_RESET: 'PASSWORD_RESET',
} as const;
