/** UI strings of the privacy notice and of one's own data (merged into en.ts / fa.ts; ADR 0026). */
export const privacyEn = {
  "privacy.title": "Privacy: what Shora stores and why",
  "privacy.footerLink": "Privacy",
  "privacy.intro":
    "Shora keeps as little about you as a fair vote needs. This page says in plain words what is stored, why, and who can see it.",
  "privacy.account.title": "Your account",
  "privacy.account.body":
    "Your e-mail address, the name you chose, your language and your password. The password is stored only as an argon2id hash: nobody, not even the operators, can read it. Your sessions (the devices you are logged in on) are kept until you log out or they expire.",
  "privacy.ids.title": "Your national ID",
  "privacy.ids.body":
    "Your national ID is never stored. When you verify, it is replaced by a keyed hash (HMAC-SHA-256 with a secret of the municipality), kept with your birth date, your district and your voter class, so that one person can verify only once. Without the municipality's secret, the hash reveals nothing.",
  "privacy.ballots.title": "Your ballot",
  "privacy.ballots.body":
    "A ballot is stored under a voter key computed with a secret of the round, never with your name or account. That secret is kept outside the database and destroyed when the results are published; from then on nobody, not even the operators, can tell which ballot is yours. Cast times are then rounded to the day. A draft ballot you have not cast is sealed and deleted when you cast or when results are published.",
  "privacy.public.title": "What anyone can see",
  "privacy.public.body":
    "Without an account, anyone can see proposals, comments with the name of their author, published results and the ballot files (choices without names), turnout per day, district and class, and the log of what staff did. Nobody can see your e-mail, your verification, whether you voted or how you voted.",
  "privacy.staff.title": "What staff can see",
  "privacy.staff.body":
    "Council staff see verification records of their municipality (to verify and revoke people) and turnout counts, never who voted how. Every staff action is written in a public, hash-chained log under the staff member's name.",
  "privacy.messages.title": "Messages Shora sends you",
  "privacy.messages.body":
    "Shora e-mails you about your account (confirming your address, resetting your password) and, unless you switch them off on your account page or with the link at the end of each message, notifications: a confirmation after you vote (never your choices), reminders when voting opens and in its last 48 hours, news of your proposals and of those you follow, and messages from your municipality. Topics you choose are also sent by text message to your confirmed mobile number, with the message's title and link only; the SMS provider sees the number and that text. A reminder to vote goes only to residents who have not voted yet: to know that, the server checks whether your verified identity has a ballot in the round, as it does when you vote; it never reads how you voted. Council staff see whether a message was delivered, not its text; only on an installation without a mail server (a demonstration) does the platform's administrator read messages, on its mail viewer.",
  "privacy.yourData.title": "Your data, your choice",
  "privacy.yourData.body":
    "On your account's privacy page you can download everything Shora holds about you as a file, and delete your account.",
  "privacy.yourData.link": "My data: download or delete",
  "privacy.mine.title": "My data",
  "privacy.mine.download.title": "Download my data",
  "privacy.mine.download.help":
    "A JSON file with your account, verifications, comments, proposals, subscriptions and survey answers. It never contains the choices of your ballots: they are not linked to your account.",
  "privacy.mine.download.submit": "Download my data",
  "privacy.mine.delete.title": "Delete my account",
  "privacy.mine.delete.help":
    "Your e-mail, name and password are erased and you are logged out everywhere. Your comments stay, shown as written by a former account. A ballot you cast keeps counting: it never named you.",
  "privacy.mine.delete.retention":
    "Kept by {municipality}: your verification record (the hash of your ID, birth date, district and class) for {months} months after you delete your account, as its rules for verification records require, so that the same person cannot verify again at once; then it is erased.",
  "privacy.mine.delete.noRetention":
    "No municipality has verified you: nothing is kept about you beyond your comments.",
  "privacy.mine.delete.staff":
    "Staff must first be removed from their roles by an administrator before deleting their account.",
  "privacy.mine.delete.password": "Your password, to confirm",
  "privacy.mine.delete.submit": "Delete my account",
  "privacy.deleted": "Your account was deleted.",
  "privacy.error.wrong_password": "That password is not right.",
  "privacy.error.staff_member":
    "Staff must first be removed from their roles by an administrator before deleting their account.",
  "privacy.link": "Privacy and my data",
} as const;
