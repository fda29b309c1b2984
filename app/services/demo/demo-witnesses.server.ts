/**
 * The demo's two witnesses (ADR 0022), run in the server process so the demo shows cosigned
 * checkpoints with nothing installed: c2sp.org/tlog-witness servers on 127.0.0.1 ephemeral ports, keys
 * in the key store, state beside it (`<key store>/demo-witnesses/`), so a restart remembers what they
 * cosigned. Each start records their new addresses; they follow every round of the demo municipality,
 * the ones staff create later included.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { createKeyOnce, keyStoreDir } from "../../../db/keystore";
import { municipalities, witnessQuorums, witnesses } from "../../../db/schema";
import { config } from "../../config.server";
import { checkpointOrigin } from "../../domain/ledger/checkpoint";
import { newCosignerKey } from "../../domain/ledger/cosignature";
import { verifierKeyFromPem } from "../../domain/ledger/note";
import { createWitness } from "../../witness/witness";
import { signingKey } from "../ballots/checkpoints.server";

export const DEMO_WITNESS_NAMES = ["witness-one.shora.local", "witness-two.shora.local"] as const;

let running: { stop: () => Promise<void>; urls: string[] } | null = null;

/**
 * Starts the demo municipality's witnesses (once per process) and points its witness settings at
 * them, with a quorum of 2. Returns null when there is no demo municipality.
 */
export async function startDemoWitnesses(db: Db, slug = "demo"): Promise<{ urls: string[] } | null> {
  if (running) return running;
  const [municipality] = await db.select().from(municipalities).where(eq(municipalities.slug, slug));
  if (!municipality) return null;
  const key = await signingKey(db, municipality.id);
  // Every round of the municipality is a log signed by its key: a round made after the start too.
  const prefix = checkpointOrigin(config().checkpointHost, municipality.slug, "");
  const logKeys = (origin: string) =>
    origin.startsWith(prefix) && /^[a-z0-9][a-z0-9-]{0,63}$/.test(origin.slice(prefix.length))
      ? [verifierKeyFromPem(origin, key.publicKey)]
      : null;
  const listening: { close(): Promise<void> }[] = [];
  const urls: string[] = [];
  for (const [i, name] of DEMO_WITNESS_NAMES.entries()) {
    const signerKey = createKeyOnce(`demo-witness-${i + 1}.skey`, newCosignerKey(name).signerKey);
    const stateDir = path.join(keyStoreDir(), "demo-witnesses", name);
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const witness = createWitness({ name, signerKey, stateDir, logs: [], logKeys });
    const server = await witness.listen("127.0.0.1", 0);
    listening.push(server);
    urls.push(server.url);
    const [row] = await db
      .select({ id: witnesses.id })
      .from(witnesses)
      .where(and(eq(witnesses.municipalityId, municipality.id), eq(witnesses.name, name)));
    if (row)
      await db.update(witnesses).set({ url: server.url, vkey: witness.verifierKey }).where(eq(witnesses.id, row.id));
    else
      await db.insert(witnesses).values({
        id: randomUUID(),
        municipalityId: municipality.id,
        name,
        vkey: witness.verifierKey,
        url: server.url,
        active: true,
      });
  }
  await db.insert(witnessQuorums).values({ municipalityId: municipality.id, quorum: 2 }).onConflictDoNothing();
  running = {
    urls,
    stop: async () => {
      await Promise.all(listening.map((l) => l.close()));
    },
  };
  return running;
}

/** Stops the demo witnesses (server shutdown, tests). */
export async function stopDemoWitnesses() {
  const current = running;
  running = null;
  await current?.stop();
}
