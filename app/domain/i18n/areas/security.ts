/** UI strings of two-factor sign-in (merged into en.ts / fa.ts; ADR 0026). */
export const securityEn = {
  "security.title": "Two-factor sign-in",
  "security.link": "Two-factor sign-in",
  "security.code": "Code from your authenticator app (or a recovery code)",
  "security.requiredForStaff":
    "Your account has a staff role, so signing in needs a second factor: a six-digit code from an authenticator app on your phone, after your password.",
  "security.optionalForResidents":
    "You may protect your account with a second factor: a six-digit code from an authenticator app on your phone, asked after your password.",
  "security.enrolled": "Two-factor sign-in is on. Unused recovery codes: {left}.",
  "security.enrol.title": "Set up your authenticator app",
  "security.enrol.start": "Set up an authenticator app",
  "security.enrol.help":
    "In your authenticator app, add an account by typing the secret below (or open the otpauth address on the phone). Then type the six-digit code the app shows.",
  "security.enrol.secret": "Secret",
  "security.enrol.uri": "Address for the app",
  "security.enrol.confirm": "Turn on two-factor sign-in",
  "security.recovery.shownOnce":
    "Two-factor sign-in is on. Keep these recovery codes somewhere safe: each one signs you in once if you lose your phone. They are shown only now.",
  "security.continue": "Continue",
  "security.verify.title": "Confirm this session",
  "security.verify.submit": "Confirm",
  "security.renew.title": "New recovery codes",
  "security.renew.submit": "Replace my recovery codes",
  "security.disable.title": "Turn off two-factor sign-in",
  "security.disable.submit": "Turn off",
  "security.signIn.title": "Your second factor",
  "security.signIn.help": "Type the six-digit code your authenticator app shows now, or one of your recovery codes.",
  "security.signIn.submit": "Sign in",
  "security.error.bad_code": "That code is not right, or was already used.",
  "security.error.throttled": "Too many wrong codes. Wait a minute and try again.",
  "security.error.already_enrolled": "Two-factor sign-in is already on.",
  "security.error.not_enrolling": "Start setting up an authenticator app first.",
  "security.error.required": "Staff must keep two-factor sign-in on.",
  "security.error.expired": "This sign-in has expired. Log in again with your password.",
} as const;
