/**
 * The App's private key in tests: one 2048-bit RSA key per test process, PKCS#1 PEM as GitHub
 * issues them (making one takes tens of milliseconds, so it is made once, when first asked for).
 */
import { generateKeyPairSync } from "node:crypto";

let key: string | undefined;

export function appPrivateKey(): string {
  key ??= generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs1", format: "pem" })
    .toString();
  return key;
}
