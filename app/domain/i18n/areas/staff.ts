/** UI strings of staff controls, confirmations and the staff dashboard (merged into en.ts / fa.ts). Keys start with "staff.". */
export const staffEn = {
  "staff.phaseControls": "Phase controls",
  "staff.phaseControlsHelp":
    "Phases follow their dates by default. These controls change the phase now, for a round run in one sitting; each change is logged.",
  "staff.openVoting": "Open voting now",
  "staff.closeVoting": "Close voting now",
  "staff.confirm.open_voting":
    "Open voting now? The phases before voting end now, ballot rules, eligibility and voter classes are frozen, and residents can vote from this moment.",
  "staff.confirm.close_voting":
    "Close voting now? No ballot is accepted after this moment and voting never reopens; tallying starts now.",
  "staff.confirm.publish":
    "Publish the results now? This cannot be undone: the results become public at once, the round moves to its published phase and the voters' key is destroyed.",
  "staff.confirm.tally": "Run the tally now? Any earlier tally of this round is replaced.",
  "staff.confirm.yes": "Yes, do it now",
  "staff.confirm.cancel": "Cancel",
  "staff.done.open_voting": "Voting is open from now.",
  "staff.done.close_voting": "Voting is closed. Tallying has started.",
  "staff.publishedNoMore": "The results are published: the tally cannot be run again.",
  "staff.resultsLink": "See the published results",
  "staff.error.phase_passed": "That phase is already over for this round; a phase never reopens.",
  "staff.error.publish_first": "The round reaches its published phase by publishing the results on the tally page.",
  "staff.error.not_voting": "Voting is not open in this round, so it cannot be closed.",
  "staff.overEnvelope": "This proposal costs more than its envelope ({amount}): it can never be funded.",
  "staff.overEnvelopeShort": "Costs more than the envelope",
  "staff.reviewed": "Review saved.",
  "staff.dashboard": "What needs you",
  "staff.dashboard.review": "Proposals to review",
  "staff.dashboard.flagged": "Flagged comments",
  "staff.dashboard.verifications": "Verifications waiting",
  "staff.dashboard.endingSoon": "Phases ending within a week",
  "staff.dashboard.endsOn": "{round}: {phase} ends on {day}",
  "staff.dashboard.nothing": "Nothing is waiting.",
  "staff.dashboard.yourMunicipalities": "Your municipalities",
  "staff.list.separator": ", ",
  "staff.paper.numbers": "Proposal numbers",
} as const;
