import type { PbElection } from "./types";

function cell(value: string): string {
  return /[;"\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const row = (cells: string[]) => cells.map(cell).join(";");

/**
 * Writes an election as a `.pb` file. A `weight` column is written only when some ballot weighs
 * more than 1 (or the election was read with one). Reading the output gives the same election.
 */
export function writePb(election: PbElection): string {
  const out: string[] = ["META", "key;value"];
  for (const [k, v] of election.meta) out.push(row([k, v]));
  const projectColumns = election.projectColumns.length ? [...election.projectColumns] : ["project_id", "cost"];
  if (!projectColumns.includes("cost")) projectColumns.splice(1, 0, "cost");
  out.push("PROJECTS", row(projectColumns));
  for (const p of election.projects) {
    out.push(row(projectColumns.map((c, i) => (i === 0 ? p.id : c === "cost" ? p.costText : (p.fields[c] ?? "None")))));
  }
  const hasPoints = election.ballots.some((b) => b.points !== null);
  const weighted = election.voteColumns.includes("weight") || election.ballots.some((b) => b.weight !== 1);
  const voteColumns = election.voteColumns.length ? [...election.voteColumns] : ["voter_id", "vote"];
  if (!voteColumns.includes("vote")) voteColumns.push("vote");
  if (hasPoints && !voteColumns.includes("points")) voteColumns.push("points");
  if (weighted && !voteColumns.includes("weight")) voteColumns.push("weight");
  out.push("VOTES", row(voteColumns));
  for (const b of election.ballots) {
    out.push(
      row(
        voteColumns.map((c) => {
          if (c === "voter_id") return b.voterId;
          if (c === "vote") return b.vote.length ? b.vote.join(",") : "None";
          if (c === "points") return b.points?.length ? b.points.join(",") : "None";
          if (c === "weight") return String(b.weight);
          return b.fields[c] ?? "None";
        }),
      ),
    );
  }
  return `${out.join("\n")}\n`;
}
