/** The fake GitHub's public surface for scenario drivers, the demo and tests. */
export { startFakeGitHub, type FakeGitHub, type FakeGitHubOptions } from "./server.js";
export { FakeGitHubState, FakeRepo, renderRunName } from "./state.js";
export type {
  ChangedFileInput,
  CommentState,
  FakeUser,
  IssueState,
  PermissionLevel,
  PullState,
  RunConclusion,
  WorkflowRunState,
} from "./state.js";
export { FaultInjector, type Fault } from "./faults.js";
export { RequestLog, type LoggedRequest } from "./request-log.js";
export { PULL_FILES_CAP } from "./routes/pulls.js";
