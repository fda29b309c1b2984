/**
 * An "app process" running the mail delivery worker for the PostgreSQL tests (ADR 0025): delivers due
 * messages to the SMTP server given, then exits. With `dieAfter`, it kills itself (SIGKILL, no clean-up)
 * when about to send message number dieAfter + 1, which it has claimed: a worker killed mid-batch.
 * Usage: tsx tests/support/mail-worker.ts <databaseUrl> <smtpUrl> <dieAfter|-> <clockOffsetMs>
 */
import { openDatabase } from "../../db/client";
import { deliverDueMessages } from "../../app/services/mail/delivery.server";
import { smtpTransport, viewerTransport } from "../../app/services/mail/transports.server";

const [url, smtpUrl, dieAfter, offset] = process.argv.slice(2);
const database = await openDatabase({ url, migrate: false, poolSize: 2 });
const smtp = smtpTransport(smtpUrl, "Shora <shora@shora.test>");
let sent = 0;
const mail = {
  name: "smtp",
  async send(message: Parameters<typeof smtp.send>[0]) {
    if (dieAfter !== "-" && sent >= Number(dieAfter)) process.kill(process.pid, "SIGKILL");
    await smtp.send(message);
    sent += 1;
  },
};
const result = await deliverDueMessages(
  database.db,
  { actor: { kind: "system", name: "mail-worker-test" } },
  {
    transports: { mail, sms: viewerTransport, publicUrl: "https://shora.test" },
    limit: 10_000,
    now: () => new Date(Date.now() + Number(offset)),
  },
);
await database.close();
process.stdout.write(JSON.stringify(result));
