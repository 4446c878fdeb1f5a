/** The environment a gate's command runs with: a minimal base plus exactly the variables its `requires` names, never the runner's own. */

/**
 * Passed to every gate when the runner has them: what a shell, Python and a CUDA/NCCL job need to
 * start. Everything else — the workflow's inputs, tokens, the runner's file paths — stays out,
 * so PR code running as a gate learns nothing it could forge results or reach GitHub with.
 */
export const BASE_ENV_NAMES: readonly string[] = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "LANG",
  "LC_ALL",
  "TZ",
  "TMPDIR",
  // The CUDA runtime and the NVIDIA container toolkit: which GPUs, where the libraries are.
  "LD_LIBRARY_PATH",
  "NVIDIA_VISIBLE_DEVICES",
  "NVIDIA_DRIVER_CAPABILITIES",
  // Not a path or a secret: the Actions runner kills processes carrying it when the job ends, a
  // second net behind the gate runner's own containment.
  "RUNNER_TRACKING_ID",
];

/** Families of GPU settings passed whole (`CUDA_VISIBLE_DEVICES`, `CUDA_HOME`, `NCCL_SOCKET_IFNAME`, …): tuning, never credentials. */
export const BASE_ENV_PREFIXES: readonly string[] = ["CUDA_", "NCCL_"];

/**
 * Never passed, even when a registry's `requires` names them: the dispatch binding (a gate that
 * knew it could write a results file that looks bound), the job's tokens and the runner's
 * paths and protocol files (`GITHUB_OUTPUT`, `ACTIONS_RUNTIME_TOKEN`, `RUNNER_TEMP`, action inputs).
 */
export const RESERVED_ENV_NAMES: readonly string[] = ["HEAD_SHA", "DISPATCH_ID", "GITHUB_TOKEN", "GH_TOKEN"];
export const RESERVED_ENV_PREFIXES: readonly string[] = ["ACTIONS_", "GITHUB_", "RUNNER_", "INPUT_", "STATE_"];

export function isReservedEnvName(name: string): boolean {
  if (BASE_ENV_NAMES.includes(name)) return false;
  return RESERVED_ENV_NAMES.includes(name) || RESERVED_ENV_PREFIXES.some((p) => name.startsWith(p));
}

function isBaseEnvName(name: string): boolean {
  return BASE_ENV_NAMES.includes(name) || BASE_ENV_PREFIXES.some((p) => name.startsWith(p));
}

/**
 * The gate's environment, built from the runner's: base names present in `env`, then the gate's
 * `requires` (reserved names are left out and returned, so the caller can refuse the gate with a
 * reason rather than run it without what it asked for).
 */
export function gateEnvironment(
  requires: readonly string[] | undefined,
  env: Readonly<Record<string, string | undefined>>,
): { env: Record<string, string>; reserved: string[] } {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && isBaseEnvName(name)) out[name] = value;
  }
  const reserved: string[] = [];
  for (const name of requires ?? []) {
    if (isReservedEnvName(name)) {
      if (!reserved.includes(name)) reserved.push(name);
      continue;
    }
    const value = env[name];
    if (value !== undefined) out[name] = value;
  }
  return { env: out, reserved };
}
