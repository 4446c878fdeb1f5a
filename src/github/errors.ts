/** What an error from an Octokit call means: the one place that reads its HTTP status. */

/** The HTTP status of an Octokit RequestError (lost connections come as 500), or undefined for any other error. */
export function httpStatus(err: unknown): number | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const status = (err as { status?: unknown }).status;
  return typeof status === "number" ? status : undefined;
}

/** An error from a GitHub API call, as opposed to a bug in our code. */
export function isApiFailure(err: unknown): boolean {
  return httpStatus(err) !== undefined;
}

export function isNotFound(err: unknown): boolean {
  return httpStatus(err) === 404;
}

/** GitHub's side failed, or the answer never arrived: the request may or may not have taken effect. */
export function isServerSide(err: unknown): boolean {
  const status = httpStatus(err);
  return status === undefined || status >= 500;
}
