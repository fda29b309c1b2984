/** UI strings of witnesses and cosigned checkpoints (merged into en.ts / fa.ts; ADR 0022). */
export const witnessesEn = {
  "witnesses.title": "Witnesses",
  "witnesses.manage": "Witnesses of the ballot ledger",
  "witnesses.intro":
    "Witnesses are independent organisations (a newspaper, a university, an NGO) that cosign each checkpoint of the ballot ledger only if it extends every checkpoint they cosigned before. With a quorum of witnesses, not even the municipality can show different ledgers to different people.",
  "witnesses.none": "No witnesses yet: checkpoints are signed by the municipality alone.",
  "witnesses.name": "Name",
  "witnesses.url": "Address",
  "witnesses.vkey": "Witness key",
  "witnesses.status": "Status",
  "witnesses.actions": "Change",
  "witnesses.active": "Active",
  "witnesses.paused": "Paused",
  "witnesses.pause": "Pause {name}",
  "witnesses.resume": "Resume {name}",
  "witnesses.remove": "Remove {name}",
  "witnesses.add.title": "Add a witness",
  "witnesses.add.help":
    "Paste the witness's public key (name+hash+key, as `shora witness keygen` prints it) and the address its add-checkpoint endpoint lives under.",
  "witnesses.add.submit": "Add witness",
  "witnesses.quorum": "Quorum",
  "witnesses.quorum.help":
    "How many active witnesses must cosign the final checkpoint before results can be published (0 to {max}).",
  "witnesses.quorum.submit": "Save quorum",
  "witnesses.added": "{name} was added.",
  "witnesses.removed": "{name} was removed.",
  "witnesses.changed": "{name} was updated.",
  "witnesses.unchanged": "Nothing changed for {name}.",
  "witnesses.quorumSaved": "The quorum is now {quorum}.",
  "witnesses.error.witness_vkey": "This is not a witness public key (name+hash+key of a cosignature key).",
  "witnesses.error.witness_url": "Give the witness's web address (http or https, without a query).",
  "witnesses.error.witness_duplicate": "A witness named {name} is already configured.",
  "witnesses.error.witness_not_found": "That witness is not configured here.",
  "witnesses.error.witness_quorum":
    "The quorum must be a whole number from 0 to the number of active witnesses (pause or remove one only after lowering the quorum).",
  "rounds.error.witness_quorum_missing":
    "Only {have} of the {quorum} witnesses needed cosigned the final checkpoint. Results are published once the quorum has cosigned; try again later.",
  "results.witnesses": "Witnesses",
  "results.witnesses.cosigned": "The final checkpoint was cosigned by {names} (quorum {quorum}).",
  "results.witnesses.none": "No witness cosigned the final checkpoint: it is signed by the municipality alone.",
} as const;
