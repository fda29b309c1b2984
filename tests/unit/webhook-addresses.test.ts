import { describe, expect, it } from "vitest";
import {
  isPrivateAddress,
  privateTargetProblem,
  trustedPrivateHosts,
} from "../../app/services/webhooks/addresses.server";

describe("webhook receivers' addresses", () => {
  it("tells private, loopback, link-local, shared and reserved addresses from public ones", () => {
    for (const ip of [
      "10.1.2.3",
      "127.0.0.1",
      "169.254.169.254",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.0.10",
      "100.64.0.1",
      "0.0.0.0",
      "224.0.0.1",
      "::1",
      "::",
      "fd00::1",
      "fe80::1",
      "::ffff:10.0.0.1",
      "::ffff:127.0.0.1",
      "64:ff9b::a00:1",
      "not an address",
    ])
      expect(isPrivateAddress(ip), ip).toBe(true);
    for (const ip of ["93.184.216.34", "172.32.0.1", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
      expect(isPrivateAddress(ip), ip).toBe(false);
  });

  it("judges literal addresses and localhost before any lookup, and lets the operator trust hosts", () => {
    const trusted = trustedPrivateHosts({ SHORA_WEBHOOK_PRIVATE_HOSTS: " hooks.internal, 10.0.0.5 ,[::1]" });
    expect([...trusted]).toEqual(["hooks.internal", "10.0.0.5", "::1"]);
    expect(privateTargetProblem(new URL("https://10.0.0.6/x"), trusted)).toBe("url_private");
    expect(privateTargetProblem(new URL("https://10.0.0.5/x"), trusted)).toBeNull();
    expect(privateTargetProblem(new URL("https://[::1]/x"), trusted)).toBeNull();
    expect(privateTargetProblem(new URL("http://localhost:3000/x"), trusted)).toBe("url_private");
    expect(privateTargetProblem(new URL("http://app.localhost/x"), trusted)).toBe("url_private");
    // Names are judged by what they resolve to, at each connection.
    expect(privateTargetProblem(new URL("https://hooks.example.org/x"), trusted)).toBeNull();
  });
});
