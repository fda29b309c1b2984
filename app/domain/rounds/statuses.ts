/** Proposal statuses the public sees (submitted and withdrawn ones only their author and staff see). */
export const PUBLIC_PROPOSAL_STATUSES = ["accepted", "rejected", "selected", "funded"] as const;
