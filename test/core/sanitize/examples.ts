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
  pemBody: [
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7",
    "VJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDu",
    "ictGeurT8jNbvJZHtCSuYEvuNMoSfm76oqFvAp8Gy0iz5sxjZmSn",
  ],
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

export const POSITIVE: readonly PositiveCase[] = [
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
