import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { gateEnvironment, isReservedEnvName } from "../../../src/core/gates/env.js";

/** What a GitHub Actions runner's environment looks like to the action (abridged, values made up). */
const RUNNER_ENV = {
  PATH: "/usr/local/bin:/usr/bin:/bin",
  HOME: "/home/runner",
  LANG: "C.UTF-8",
  TMPDIR: "/tmp",
  CUDA_VISIBLE_DEVICES: "0,1,2,3,4,5,6,7",
  CUDA_HOME: "/usr/local/cuda",
  NCCL_SOCKET_IFNAME: "eth0",
  LD_LIBRARY_PATH: "/usr/local/cuda/lib64",
  HEAD_SHA: "0123456789abcdef0123456789abcdef01234567",
  DISPATCH_ID: "dsp-12345678",
  GITHUB_TOKEN: "ghs_notarealtoken",
  GITHUB_OUTPUT: "/home/runner/work/_temp/_runner_file_commands/set_output_1",
  GITHUB_STEP_SUMMARY: "/home/runner/work/_temp/_runner_file_commands/step_summary_1",
  GITHUB_WORKSPACE: "/home/runner/work/repo/repo",
  ACTIONS_RUNTIME_TOKEN: "eyJ-not-a-token",
  ACTIONS_RESULTS_URL: "https://results-receiver.actions.example/",
  RUNNER_TEMP: "/home/runner/work/_temp",
  RUNNER_TRACKING_ID: "github_0b1c2d3e",
  "INPUT_HEAD-SHA": "0123456789abcdef0123456789abcdef01234567",
  NMOE_DATA_PATH: "/data/nmoe",
  NMOE_RUN_ROOT: "/scratch/runs",
  UNRELATED_SECRET: "hunter2",
  LD_PRELOAD: "/tmp/evil.so",
};

describe("gateEnvironment: a gate sees the base and its `requires`, nothing else", () => {
  test("the base names and the CUDA/NCCL families pass; the binding, tokens and runner paths do not", () => {
    const { env, reserved } = gateEnvironment(["NMOE_DATA_PATH", "NMOE_RUN_ROOT"], RUNNER_ENV);
    expect(env).toEqual({
      PATH: RUNNER_ENV.PATH,
      HOME: RUNNER_ENV.HOME,
      LANG: RUNNER_ENV.LANG,
      TMPDIR: RUNNER_ENV.TMPDIR,
      CUDA_VISIBLE_DEVICES: RUNNER_ENV.CUDA_VISIBLE_DEVICES,
      CUDA_HOME: RUNNER_ENV.CUDA_HOME,
      NCCL_SOCKET_IFNAME: RUNNER_ENV.NCCL_SOCKET_IFNAME,
      LD_LIBRARY_PATH: RUNNER_ENV.LD_LIBRARY_PATH,
      RUNNER_TRACKING_ID: RUNNER_ENV.RUNNER_TRACKING_ID,
      NMOE_DATA_PATH: RUNNER_ENV.NMOE_DATA_PATH,
      NMOE_RUN_ROOT: RUNNER_ENV.NMOE_RUN_ROOT,
    });
    expect(reserved).toEqual([]);
  });

  test("a gate that requires nothing gets only the base", () => {
    expect(Object.keys(gateEnvironment(undefined, RUNNER_ENV).env)).not.toContain("NMOE_DATA_PATH");
  });

  test.each([
    ["HEAD_SHA"],
    ["DISPATCH_ID"],
    ["GITHUB_TOKEN"],
    ["GH_TOKEN"],
    ["GITHUB_OUTPUT"],
    ["ACTIONS_RUNTIME_TOKEN"],
    ["RUNNER_TEMP"],
    ["INPUT_HEAD-SHA"],
  ])("%s is never passed, even when `requires` names it, and is reported", (name) => {
    const { env, reserved } = gateEnvironment([name, "NMOE_DATA_PATH"], RUNNER_ENV);
    expect(env).not.toHaveProperty([name]);
    expect(env).toHaveProperty(["NMOE_DATA_PATH"]);
    expect(reserved).toEqual([name]);
  });

  test("a required variable the runner lacks is simply absent (the preflight names it)", () => {
    expect(gateEnvironment(["MC_ABSENT"], RUNNER_ENV).env).not.toHaveProperty(["MC_ABSENT"]);
  });

  test("no runner variable outside the allow-list leaks, whatever its name", () => {
    const base = [
      "PATH",
      "HOME",
      "USER",
      "LOGNAME",
      "LANG",
      "LC_ALL",
      "TZ",
      "TMPDIR",
      "LD_LIBRARY_PATH",
      "NVIDIA_VISIBLE_DEVICES",
      "NVIDIA_DRIVER_CAPABILITIES",
      "RUNNER_TRACKING_ID",
    ];
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,20}$/), fc.string(), (name, value) => {
        const { env } = gateEnvironment([], { [name]: value });
        const allowed = base.includes(name) || name.startsWith("CUDA_") || name.startsWith("NCCL_");
        expect(name in env).toBe(allowed);
      }),
    );
  });
});

describe("isReservedEnvName", () => {
  test.each([
    ["GITHUB_ENV", true],
    ["ACTIONS_ID_TOKEN_REQUEST_URL", true],
    ["RUNNER_TOOL_CACHE", true],
    ["STATE_pid", true],
    ["RUNNER_TRACKING_ID", false],
    ["NMOE_RUN_ROOT", false],
    ["CUDA_HOME", false],
  ])("%s → %p", (name, expected) => {
    expect(isReservedEnvName(name)).toBe(expected);
  });
});
