/** Example texts for the sanitizer tests: per rule, texts that must be redacted and near misses that must not. */

import type { SanitizeOptions } from "../../../src/core/sanitize/sanitize.js";

/** Fake secrets are assembled at run time so that the test sources themselves do not look like leaks to scanners. */
const b64url = (s: string): string => Buffer.from(s).toString("base64url");
export const fake = {
  ghp: "ghp_" + "A1b2C3d4E5".repeat(3) + "F6g7H8",
  gho: "gho_" + "Z9y8X7w6V5".repeat(4),
  ghs: "ghs_" + "k".repeat(20) + "1234567890123456",
  ghu: "ghu_" + "Q".repeat(36),
  ghr: "ghr_" + "0".repeat(36),
  githubPat: "github_pat_" + "11ABCDEFG0" + "abc_DEF_123".repeat(7) + "x",
  awsKey: "AKIA" + "IOSFODNN7EXAMPLE",
  awsTempKey: "ASIA" + "Z".repeat(12) + "2345",
  awsSecret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  gcpKey: "AIza" + "SyD-1234567890_abcdefghijklmnopqrst",
  slackHook: "https://hooks.slack.com/services/" + "T00000000/B00000000/" + "X".repeat(24),
  slackToken: "xoxb-" + "123456789012-" + "abcdefghijABCDEF",
  jwt:
    b64url('{"alg":"HS256","typ":"JWT"}') +
    "." +
    b64url('{"sub":"1234567890","name":"x"}') +
    "." +
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
  basic: Buffer.from("admin:hunter2-pass").toString("base64"),
  azureKey: "Zm9v" + "YmFy".repeat(20) + "Ab==",
  azureSig: "sv" + "AbCdEf0123".repeat(5) + "%3D",
  aadSecret: "a1b" + "8Q~" + "Xy9_z.W-v8u7T6s5R4q3P2o1N0mLkJi",
  wandb: "0123456789abcdef".repeat(2) + "01234567",
  pemBody: [
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7",
    "VJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDu",
    "ictGeurT8jNbvJZHtCSuYEvuNMoSfm76oqFvAp8Gy0iz5sxjZmSn",
  ],
};

/** Deterministic filler from an alphabet (no randomness: a failing case fails the same way every run). */
export function fill(alphabet: string, n: number, seed = 7): string {
  let out = "";
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out += alphabet[x % alphabet.length];
  }
  return out;
}

const AZ = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const az = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
const ALNUM = AZ + az + DIGITS;
const HEX = "0123456789abcdef";

/**
 * One fake token per vendor family (assembled at run time), and a look-alike with the same prefix
 * that is not a token (too short, wrong alphabet, or a word that merely starts the same way).
 */
export const FAMILY_EXAMPLES: Record<string, { token: string; lookalike: string }> = {
  "huggingface-token": { token: "hf_" + fill(az + AZ, 34), lookalike: "call hf_hub_download(repo_id) or hf_" + "abc" },
  "anthropic-key": { token: "sk-ant-" + "api03-" + fill(ALNUM + "_-", 93) + "AA", lookalike: "sk-ant-api03-short" },
  "openai-key": {
    token: "sk-" + "proj-" + fill(ALNUM + "_-", 64),
    lookalike: "sk-learn, risk-free, task-" + fill(DIGITS, 30),
  },
  "npm-token": { token: "npm_" + fill(ALNUM, 36), lookalike: "npm_config_cache=/tmp/npm" },
  "gitlab-token": { token: "glpat-" + fill(ALNUM + "_-", 20), lookalike: "glpat-short and glrt-x" },
  "pypi-token": {
    token: "pypi-" + "AgEIcHlwaS5vcmc" + fill(ALNUM + "_-", 70),
    lookalike: "pypi-upload and pypi-AgEIcHlwaS5vcmc",
  },
  "docker-hub-token": { token: "dckr_" + "pat_" + fill(ALNUM + "_-", 27), lookalike: "dckr_pat_ is the prefix" },
  "stripe-key": {
    token: "sk_" + "live_" + fill(ALNUM, 24),
    lookalike: "pk_live_" + fill(ALNUM, 24) + " (publishable)",
  },
  "gcp-oauth": { token: "GOCSPX-" + fill(ALNUM + "_-", 28), lookalike: "ya29.5 and GOCSPX-short" },
  "sendgrid-key": { token: "SG." + fill(ALNUM, 22) + "." + fill(ALNUM, 43), lookalike: "SG.123 and SG.abc.def" },
  "databricks-token": { token: "dapi" + fill(HEX, 32), lookalike: "dapi" + "xyz and dapis" },
  "digitalocean-token": { token: "dop_" + "v1_" + fill(HEX, 64), lookalike: "dop_v1_" + fill(HEX, 10) },
  "shopify-token": { token: "shpat_" + fill(HEX, 32), lookalike: "shpat_xyz" },
  "linear-key": { token: "lin_" + "api_" + fill(ALNUM, 40), lookalike: "lin_api_short" },
  "groq-key": { token: "gsk_" + fill(ALNUM, 52), lookalike: "gsk_" + fill(ALNUM, 20) },
  "replicate-token": { token: "r8_" + fill(ALNUM, 37), lookalike: "r8_" + fill(ALNUM, 10) },
  "vault-token": { token: "hvs." + fill(ALNUM + "_-", 90), lookalike: "hvs.short" },
  "grafana-token": { token: "glsa_" + fill(ALNUM, 32) + "_" + fill(HEX, 8), lookalike: "glsa_short and glc_x" },
  "sentry-token": { token: "sntryu_" + fill(HEX, 64), lookalike: "sntryu_" + fill(HEX, 20) },
  "age-secret-key": {
    token: "AGE-SECRET-KEY-1" + fill("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58),
    lookalike: "AGE-SECRET-KEY-1 is its prefix",
  },
  "postman-key": { token: "PMAK-" + fill(HEX, 24) + "-" + fill(HEX, 34), lookalike: "PMAK-" + fill(HEX, 10) },
  "atlassian-token": { token: "ATATT3" + fill(ALNUM + "_=-", 180), lookalike: "ATATT3" + fill(ALNUM, 20) },
  "doppler-token": { token: "dp.pt." + fill(ALNUM, 43), lookalike: "dp.pt.short" },
  "pulumi-token": { token: "pul-" + fill(HEX, 40), lookalike: "pul-" + fill(HEX, 12) },
  "tailscale-key": {
    token: "tskey-" + "auth-" + fill(ALNUM, 12) + "-" + fill(ALNUM, 30),
    lookalike: "tskey-auth-short",
  },
  "notion-token": { token: "ntn_" + fill(ALNUM, 46), lookalike: "ntn_" + fill(ALNUM, 12) },
  "figma-token": { token: "figd_" + fill(ALNUM + "_-", 40), lookalike: "figd_short" },
  "heroku-key": { token: "HRKU-" + "AA" + fill(ALNUM + "_-", 58), lookalike: "HRKU-AAshort" },
  "new-relic-key": { token: "NRAK-" + fill(AZ + DIGITS, 27), lookalike: "NRAK-" + fill(AZ, 8) },
  "square-token": { token: "sq0atp-" + fill(ALNUM + "_-", 22), lookalike: "sq0atp-short" },
  "onepassword-token": { token: "ops_" + "eyJ" + fill(ALNUM + "+/", 260), lookalike: "ops_eyJ" + fill(ALNUM, 20) },
};

export function pem(kind: string, body: readonly string[] = fake.pemBody): string {
  return [`-----BEGIN ${kind}PRIVATE KEY-----`, ...body, `-----END ${kind}PRIVATE KEY-----`].join("\n");
}

export interface PositiveCase {
  rule: string;
  text: string;
  /** A substring that must not survive sanitizing. */
  secret: string;
  opts?: SanitizeOptions;
}

export interface NegativeCase {
  rule: string;
  text: string;
  opts?: SanitizeOptions;
}

/** Every vendor family in bare form (prose, a JSON value, glued after a bracket) and in `KEY=value` form. */
const FAMILY_POSITIVE: PositiveCase[] = Object.entries(FAMILY_EXAMPLES).flatMap(([rule, { token }]) => [
  { rule, text: `rotated the leaked ${token} yesterday`, secret: token },
  { rule, text: `{"key": "${token}"}`, secret: token },
  { rule, text: `(${token})`, secret: token },
  { rule, text: `export SERVICE_TOKEN=${token}`, secret: token },
  { rule, text: `api_key: '${token}'`, secret: token },
]);

const FAMILY_NEGATIVE: NegativeCase[] = Object.entries(FAMILY_EXAMPLES).flatMap(([rule, { token, lookalike }]) => [
  { rule, text: lookalike },
  // Glued inside a longer word it is not a token of its own.
  { rule, text: `x${token}` },
]);

export const POSITIVE: readonly PositiveCase[] = [
  ...FAMILY_POSITIVE,
  { rule: "private-key", text: pem("RSA ") + "\ndone", secret: fake.pemBody[1] ?? "" },
  { rule: "private-key", text: pem("OPENSSH "), secret: fake.pemBody[0] ?? "" },
  { rule: "private-key", text: pem("ENCRYPTED "), secret: fake.pemBody[2] ?? "" },
  { rule: "private-key", text: `"key": "${pem("").replace(/\n/g, "\\n")}\\n"`, secret: fake.pemBody[1] ?? "" },
  {
    rule: "private-key",
    text: "log cut off:\n-----BEGIN EC PRIVATE KEY-----\n" + fake.pemBody.join("\n") + "\n[rank0] step 10",
    secret: fake.pemBody[2] ?? "",
  },
  { rule: "github-token", text: `export GH_TOKEN=${fake.ghp}`, secret: fake.ghp },
  { rule: "github-token", text: `token ${fake.gho} expired`, secret: fake.gho },
  { rule: "github-token", text: `https://x-access-token:${fake.ghs}@github.com/o/r.git`, secret: fake.ghs },
  { rule: "github-token", text: `(${fake.ghu})`, secret: fake.ghu },
  { rule: "github-token", text: `refresh=${fake.ghr}`, secret: fake.ghr },
  { rule: "github-token", text: `pat: ${fake.githubPat}`, secret: fake.githubPat },
  { rule: "aws-access-key", text: `AWS_ACCESS_KEY_ID=${fake.awsKey}`, secret: fake.awsKey },
  { rule: "aws-access-key", text: `"AccessKeyId": "${fake.awsTempKey}"`, secret: fake.awsTempKey },
  { rule: "aws-secret-key", text: `aws_secret_access_key = ${fake.awsSecret}`, secret: fake.awsSecret },
  { rule: "aws-secret-key", text: `AWS_SECRET_ACCESS_KEY: "${fake.awsSecret}"`, secret: fake.awsSecret },
  { rule: "gcp-api-key", text: `?key=${fake.gcpKey}&q=1`, secret: fake.gcpKey },
  {
    rule: "gcp-service-account",
    text: `{"type": "service_account", "private_key_id": "0123456789abcdef0123456789abcdef01234567"}`,
    secret: "0123456789abcdef0123456789abcdef01234567",
  },
  {
    rule: "gcp-service-account",
    text: `"client_email": "trainer@my-proj.iam.gserviceaccount.com"`,
    secret: "trainer@my-proj",
  },
  {
    rule: "gcp-service-account",
    text: `"private_key": "not-a-pem-but-still-a-key-\\u003d"`,
    secret: "not-a-pem-but-still-a-key",
  },
  { rule: "slack-webhook", text: `SLACK_URL=${fake.slackHook}`, secret: "X".repeat(24) },
  { rule: "slack-token", text: `bot token ${fake.slackToken}`, secret: fake.slackToken },
  { rule: "jwt", text: `id_token=${fake.jwt}`, secret: fake.jwt.split(".")[1] ?? "" },
  { rule: "jwt", text: fake.jwt, secret: fake.jwt.split(".")[2] ?? "" },
  {
    rule: "kubeconfig-data",
    text: "    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo=",
    secret: "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo",
  },
  { rule: "kubeconfig-data", text: "client-certificate-data: QUJDREVGRw==", secret: "QUJDREVGRw" },
  { rule: "kubeconfig-data", text: '"certificate-authority-data": "Q0FEQVRB"', secret: "Q0FEQVRB" },
  {
    rule: "database-url",
    text: "DATABASE_URL=postgres://app:pw4711@db.prod.example.com:5432/app",
    secret: "db.prod.example.com",
  },
  { rule: "database-url", text: "mongodb+srv://ro:Secr3t@cluster0.ab1cd.mongodb.net/test.", secret: "cluster0.ab1cd" },
  {
    rule: "database-url",
    text: "jdbc:mysql://mysql.example.com:3306/db?user=a&password=b",
    secret: "mysql.example.com",
  },
  { rule: "url-credentials", text: "git clone https://bob:hunter2pw@git.example.com/x.git", secret: "hunter2pw" },
  { rule: "url-credentials", text: "proxy=http://user:p%40ss@proxy.example.com:3128", secret: "p%40ss" },
  { rule: "authorization-header", text: "curl -H 'Authorization: token 0123abcd0123abcd'", secret: "0123abcd0123abcd" },
  {
    rule: "authorization-header",
    text: "Proxy-Authorization: Negotiate YIIHxAYGKwYBBQUCoIIHuDCCB7Sg",
    secret: "YIIHxAYGKwYBBQUCoIIHuDCCB7Sg",
  },
  { rule: "bearer-token", text: "-H 'X-Upstream: Bearer abc123def456ghi789'", secret: "abc123def456ghi789" },
  { rule: "bearer-token", text: "bearer sk-proj-AbCdEfGhIjKlMnOpQrStUv", secret: "AbCdEfGhIjKlMnOpQrStUv" },
  { rule: "basic-auth", text: `Basic ${fake.basic}`, secret: fake.basic },
  { rule: "secret-assignment", text: "password: s3cr3tpass", secret: "s3cr3tpass" },
  { rule: "secret-assignment", text: "HF_TOKEN=hf_abcdefghij123456", secret: "hf_abcdefghij123456" },
  { rule: "secret-assignment", text: "api_key = 'AbC123456789'", secret: "AbC123456789" },
  {
    rule: "secret-assignment",
    text: "  - name: admin\n    user:\n      token: abcdef.0123456789abcdef",
    secret: "0123456789abcdef",
  },
  {
    rule: "secret-assignment",
    text: '{"client_secret": "GOCSPX-abcdefghijklmnop"}',
    secret: "GOCSPX-abcdefghijklmnop",
  },
  { rule: "kube-server", text: "    server: https://ABC123DEF.gr7.us-west-2.eks.amazonaws.com", secret: "ABC123DEF" },
  { rule: "kube-server", text: '"server": "https://k8s.example.com:6443"', secret: "k8s.example.com" },
  { rule: "internal-url", text: "metrics at http://10.0.0.5:8080/metrics now", secret: "10.0.0.5" },
  { rule: "internal-url", text: "see [dash](http://grafana.monitoring.svc.cluster.local/d/abc).", secret: "/d/abc" },
  {
    rule: "internal-url",
    text: "artifact https://ci.build.acme.io/job/7",
    secret: "/job/7",
    opts: { internalDomains: ["build.acme.io"] },
  },
  { rule: "internal-url", text: "http://[fd00::1]:9000/bucket", secret: "/bucket" },
  { rule: "internal-url", text: "http://gpu-box-17:8888/lab", secret: "/lab", opts: { internalHosts: ["gpu-box-17"] } },
  { rule: "internal-host", text: "connecting to redis-master.cache.svc:6379", secret: "redis-master" },
  { rule: "internal-host", text: "host db01.corp is down", secret: "db01" },
  { rule: "internal-host", text: "printer.lan, nas.home.arpa", secret: "printer" },
  { rule: "internal-host", text: "resolved ip-10-0-1-23.ec2.internal", secret: "ec2" },
  {
    rule: "internal-host",
    text: "ssh gpu-box-17 uptime",
    secret: "gpu-box-17",
    opts: { internalHosts: ["GPU-box-17"] },
  },
  {
    rule: "internal-host",
    text: "runner3.build.acme.io ok",
    secret: "runner3",
    opts: { internalDomains: [".build.acme.io"] },
  },
  { rule: "private-ipv4", text: "listening on 10.0.0.1:29500", secret: "10.0.0.1" },
  { rule: "private-ipv4", text: "peer 172.16.5.4, 172.31.255.255", secret: "172.31.255.255" },
  { rule: "private-ipv4", text: "gateway=192.168.1.1", secret: "192.168.1.1" },
  { rule: "private-ipv4", text: "cgnat 100.64.0.1", secret: "100.64.0.1" },
  { rule: "private-ipv4", text: "metadata 169.254.169.254", secret: "169.254.169.254" },
  { rule: "private-ipv4", text: "MASTER_ADDR=127.0.0.1", secret: "127.0.0.1" },
  { rule: "private-ipv4", text: "node ip-10-0-1-23 ready", secret: "ip-10-0-1-23" },
  { rule: "private-ipv6", text: "link fe80::1%eth0 up", secret: "fe80::1" },
  { rule: "private-ipv6", text: "ula fd12:3456:789a::1", secret: "fd12:3456:789a::1" },
  { rule: "private-ipv6", text: "bind ::1", secret: "::1" },
  { rule: "private-ipv6", text: "mapped ::ffff:10.0.0.1", secret: "::ffff:" },
  { rule: "private-ipv6", text: "full fc00:0:0:0:0:0:0:1", secret: "fc00:0:0:0:0:0:0:1" },
  { rule: "k8s-pod", text: "pod trainer-7d9f8b6c5d-x2k4q restarted", secret: "7d9f8b6c5d-x2k4q" },
  { rule: "k8s-pod", text: "moonlight-train-5f6b7c8d9-zxvwp OOMKilled", secret: "zxvwp" },
  { rule: "k8s-pod", text: "job pod train-job-x7k2q finished", secret: "x7k2q" },
  { rule: "k8s-pod", text: "nmoe-eval-28391234-h7j2k", secret: "h7j2k" },
  { rule: "k8s-namespace", text: "kubectl -n ml-research get pods", secret: "ml-research" },
  { rule: "k8s-namespace", text: "kubectl get pods --namespace=team-a", secret: "team-a" },
  { rule: "k8s-namespace", text: "helm install x ./chart --namespace team-b", secret: "team-b" },
  { rule: "k8s-namespace", text: "metadata:\n  namespace: gpu-jobs\n", secret: "gpu-jobs" },
  { rule: "k8s-namespace", text: '"namespace": "gpu-jobs"', secret: "gpu-jobs" },
  { rule: "pvc-name", text: "volume pvc-0a1b2c3d-1111-2222-3333-444455556666 bound", secret: "0a1b2c3d" },
  {
    rule: "pvc-name",
    text: "      persistentVolumeClaim:\n        claimName: nmoe-train-data-pvc",
    secret: "nmoe-train",
  },
  { rule: "pvc-name", text: "kubectl describe pvc/nmoe-ckpt-store -n default", secret: "nmoe-ckpt-store" },
  {
    rule: "azure-key",
    text: `DefaultEndpointsProtocol=https;AccountName=x;AccountKey=${fake.azureKey};`,
    secret: fake.azureKey,
  },
  { rule: "azure-key", text: `https://x.blob.core.windows.net/c?sv=2022&sig=${fake.azureSig}`, secret: fake.azureSig },
  { rule: "azure-key", text: `client secret ${fake.aadSecret} expires`, secret: fake.aadSecret },
  { rule: "azure-key", text: `AZURE_CLIENT_SECRET=${fake.aadSecret}`, secret: fake.aadSecret },
  { rule: "wandb-api-key", text: `wandb login ${fake.wandb}`, secret: fake.wandb },
  { rule: "wandb-api-key", text: `wandb login --relogin ${fake.wandb}`, secret: fake.wandb },
  { rule: "wandb-api-key", text: `wandb.login(key="${fake.wandb}")`, secret: fake.wandb },
  {
    rule: "wandb-api-key",
    text: `machine api.wandb.ai\n  login user\n  password ${fake.wandb}`.replace(/\n +/g, " "),
    secret: fake.wandb,
  },
  { rule: "secret-assignment", text: `WANDB_API_KEY=${fake.wandb}`, secret: fake.wandb },
  { rule: "secret-assignment", text: "password=hunter2", secret: "hunter2" },
  { rule: "secret-assignment", text: "DB_PASSWD: 'tr0ub4'", secret: "tr0ub4" },
  { rule: "secret-assignment", text: '{"password": "sesame"}', secret: "sesame" },
  { rule: "private-ipv4", text: "connect to 0x7f000001 failed", secret: "0x7f000001" },
  { rule: "private-ipv4", text: "dial 10.0.7:8080 refused", secret: "10.0.7" },
  { rule: "private-ipv4", text: "ssh trainer@10.7", secret: "10.7" },
  { rule: "private-ipv4", text: "MASTER_ADDR=10.0.7", secret: "10.0.7" },
  { rule: "private-ipv4", text: "host: 167772167", secret: "167772167" },
  { rule: "private-ipv4", text: "nameserver 0xc0.0xa8.0.1:53", secret: "0xc0.0xa8.0.1" },
  { rule: "internal-url", text: "fetch http://167772167/metrics", secret: "167772167" },
  { rule: "internal-url", text: "GET http://0x7f000001:9000/", secret: "0x7f000001" },
  { rule: "internal-url", text: "see http://10.0.7/dash", secret: "10.0.7" },
  { rule: "internal-url", text: "http://0177.0.0.1/x", secret: "0177.0.0.1" },
  { rule: "cluster-path", text: "NMOE_DATA_PATH=/data/shared/nmoe/tokens", secret: "/data/shared" },
  { rule: "cluster-path", text: "loading /lustre/fs1/ml-team/ckpt/step_100.pt", secret: "ml-team" },
  { rule: "cluster-path", text: "HF_HOME=/opt2/cache/hf", secret: "/opt2/cache" },
  { rule: "cluster-path", text: 'ckpt_dir: "/fsx/runs/moonlight"', secret: "/fsx/runs" },
];

export const NEGATIVE: readonly NegativeCase[] = [
  { rule: "private-key", text: "-----BEGIN CERTIFICATE-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOC\n-----END CERTIFICATE-----" },
  { rule: "private-key", text: "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOC\n-----END PUBLIC KEY-----" },
  { rule: "private-key", text: "rotate the private key every 90 days" },
  { rule: "github-token", text: "ghp_short and gho_1234" },
  { rule: "github-token", text: "xghp_" + "a".repeat(36) },
  { rule: "github-token", text: "the github_pat_ prefix marks fine-grained tokens" },
  { rule: "aws-access-key", text: "AKIA1234 and akiaiosfodnn7example" },
  { rule: "aws-access-key", text: "AKIA0000000000000000 (0 and 1 are not base32)" },
  { rule: "aws-secret-key", text: "aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}" },
  { rule: "gcp-api-key", text: "AIzaShort and the AIza prefix" },
  { rule: "gcp-service-account", text: '{"type": "module", "client_email": "a@example.com"}' },
  { rule: "slack-webhook", text: "https://api.slack.com/messaging/webhooks" },
  { rule: "slack-token", text: "hugs xoxo" },
  { rule: "jwt", text: "eyJhbGciOi alone, and eyJ.eyJ." },
  { rule: "kubeconfig-data", text: "client-key-data:\n  (see the secret)" },
  { rule: "database-url", text: "postgres://localhost/db and redis://cache.example.com:6379" },
  { rule: "url-credentials", text: "https://example.com:8080/x git@github.com:owner/repo.git user@example.com" },
  { rule: "authorization-header", text: "Authorization: required by the policy" },
  { rule: "bearer-token", text: "the bearer of bad news; Bearer token auth" },
  { rule: "basic-auth", text: "a basic understanding; Basic " + Buffer.from("nocolonhere").toString("base64") },
  { rule: "secret-assignment", text: "password: ${DB_PASSWORD}" },
  { rule: "secret-assignment", text: "max_tokens: 4096\ntokens_per_sec: 1234.5\ntoken: null\nsecret: my-secret-name" },
  { rule: "secret-assignment", text: "token: ${{ secrets.GITHUB_TOKEN }}" },
  { rule: "kube-server", text: "server: https://github.com/api", opts: { allowedHosts: ["github.com"] } },
  { rule: "kube-server", text: "server: nginx/1.25.3" },
  { rule: "internal-url", text: "https://github.com/owner/repo/pull/1 https://8.8.8.8/ https://example.com/foo.local" },
  { rule: "internal-url", text: "https://build.corp/x", opts: { allowedHosts: ["build.corp"] } },
  { rule: "internal-host", text: "svc.cluster.local is the cluster domain; see cluster.local" },
  { rule: "internal-host", text: "settings.local.py configs/moonlight.toml x.py torch._C._internal" },
  { rule: "internal-host", text: "the local network" },
  { rule: "internal-host", text: "foo.corp", opts: { allowedHosts: ["foo.corp"] } },
  { rule: "private-ipv4", text: "dns 8.8.8.8, 172.32.0.1, 100.128.0.1, 192.169.0.1" },
  { rule: "private-ipv4", text: "1.2.3.4-rc 10.0.0.1-rc v10.0.0.1 tensorrt==10.0.1.6" },
  { rule: "private-ipv4", text: "10.0.0.256 1.10.0.0.1 10.0.0.1234" },
  { rule: "private-ipv6", text: "2001:db8::1 12:34:56 b200:moonlight_8x20 std::string aa:bb:cc:dd:ee:ff ::" },
  { rule: "k8s-pod", text: "job-name-abcde mixed-precision step-99999 feature-branch-crwth" },
  { rule: "k8s-pod", text: "nmoe/attention/flash-x2k4q.py" },
  { rule: "k8s-namespace", text: "head -n 20 file.txt" },
  { rule: "k8s-namespace", text: "pytest -n auto" },
  { rule: "k8s-namespace", text: "namespace: default\nkubectl -n kube-system get pods" },
  { rule: "pvc-name", text: "pvc-123 and pvc-claim" },
  ...FAMILY_NEGATIVE,
  { rule: "pvc-name", text: "claimName: ${PVC}\nthe pvc/ folder" },
  { rule: "azure-key", text: "AccountKey=short; sig=abc; Q~ alone" },
  { rule: "wandb-api-key", text: `wandb login\nwandb sync run-${fake.wandb.slice(0, 8)}` },
  { rule: "wandb-api-key", text: `commit ${fake.wandb} (a git SHA looks the same, and stays)` },
  {
    rule: "secret-assignment",
    text: "password: none\npassword: ********\npwd: /home/runner/work/nmoe\npassword: ${DB_PASS}",
  },
  { rule: "secret-assignment", text: "password=abc" },
  { rule: "private-ipv4", text: "gcc 10.2.1, macOS 10.15.7, CUDA 12.4, 0x7fff5fbff8c0, 0x08080808, 8.8.8.8:53" },
  { rule: "private-ipv4", text: "step 167772167 of 200000000; 12345678:90; epoch 10.5:30" },
  { rule: "private-ipv4", text: "mail admin@10x.dev, flags 0x0000ffff" },
  { rule: "internal-url", text: "http://134744072/ http://0x08080808/ http://8.8.8.8/ http://1.2.3/" },
  {
    rule: "cluster-path",
    text: "PYTHONPATH=/usr/lib/python3 PWD=/home/runner/work/x nmoe/data/loader.py https://x.com/data/y",
  },
  { rule: "cluster-path", text: "mount it at /data, then run ./data/prepare.sh" },
];

/** Text that looks like a secret or an address and is neither: must come out unchanged. */
export const LOOKALIKES: readonly string[] = [
  "commit 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b, tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904",
  "run 123e4567-e89b-12d3-a456-426614174000 and request f47ac10b-58cc-4372-a567-0e02b2c3d479",
  "fixture: aGVsbG8gd29ybGQ=, dGVzdCBkYXRhIGZvciB0aGUgdW5pdCB0ZXN0cw==, SGVsbG8sIFdvcmxkIQ==",
  "dns 8.8.8.8, 1.1.1.1, 9.9.9.9, 208.67.222.222, and http://93.184.216.34/",
  "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "npm_config_registry, hf_hub_download, sk-learn, task-runner, glpat_docs, AKIA_PREFIX_DOC",
  "version 10.2.1, build 10.0.7-rc1, libcudnn 9.1.0.70, numpy 1.26.4",
];

/** Text the bot and GPU runs legitimately produce; none of it may change. */
export const CLEAN: readonly string[] = [
  "b200:moonlight_8x20",
  "cpu:import",
  "perf:baseline_delta",
  "1a2b3c4",
  "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",
  "2.5.1+cu124",
  "v2.330.0",
  "1.2.3.4-rc",
  "node_tps_p50: 123456.0",
  "12.5s",
  "-15.0%",
  "nmoe/attention/x.py",
  "configs/moonlight.toml",
  "origin/master",
  "https://github.com/Noumena-Network/nmoe/pull/42",
  "https://github.com/Noumena-Network/nmoe/actions/runs/123456789/job/987654321",
  "| gate | status | time |\n|---|---|---|\n| `b200:moonlight_8x20` | ✅ pass | 12.5s |\n| `cpu:import` | ❌ fail | 0.3s |",
  "⚠️ Tier-B is stale: the head moved from 1a2b3c4 to 5d6e7f8.",
  "The contract allows `nmoe/**` and denies `configs/secrets/**`; depends on #12.",
  "step 1200 | loss 2.3104 | lr 3.0e-04 | grad_norm 0.91 | tokens/s 1.2e6 | mem 71.3GB",
  "torch 2.5.1+cu124, CUDA 12.4, driver 550.54.15, NCCL 2.21.5",
  'Traceback (most recent call last):\n  File "nmoe/train.py", line 42, in main\nValueError: expected 8 experts, got 7',
  "perf: node_tps_p50 123456.0 vs baseline 145000.0 (-14.9%), budget -15.0%",
  "merge-captain: 7 of 8 checks pass; run /tier-b moonlight to start Tier-B.",
  "The bearer of this PR should read the token guide and the basic setup steps.",
  "Use a namespace per team and keep the private key out of the repo.",
];
