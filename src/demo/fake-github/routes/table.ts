/** Every implemented route, keyed `METHOD /openapi/template`; a route missing here answers 404 with a log line. */
import { actionRoutes } from "./actions.js";
import { appRoutes } from "./app.js";
import { checkRoutes } from "./checks.js";
import { issueRoutes } from "./issues.js";
import { peopleRoutes } from "./people.js";
import { pullRoutes } from "./pulls.js";
import type { Route } from "./reply.js";
import { repoRoutes } from "./repos.js";
import { searchRoutes } from "./search.js";

export const routeTable: Readonly<Record<string, Route>> = {
  ...appRoutes,
  ...repoRoutes,
  ...issueRoutes,
  ...pullRoutes,
  ...checkRoutes,
  ...peopleRoutes,
  ...actionRoutes,
  ...searchRoutes,
};
