/** Read files from the repository: the registry from the default branch, `requires_files` at a head SHA. */
import { type RepoClient } from "./client.js";
import { isNotFound } from "./errors.js";

/** The file's text at `ref`, or null when it does not exist there. Costs one call. */
export async function readFile(client: RepoClient, path: string, ref: string): Promise<string | null> {
  try {
    const res = await client.octokit.rest.repos.getContent({
      owner: client.owner,
      repo: client.repo,
      path,
      ref,
      mediaType: { format: "raw" },
    });
    // With the raw media type GitHub answers with the bytes; Octokit hands them over as a string
    // (text/* or charset=utf-8) or as an ArrayBuffer (other content types).
    const data: unknown = res.data;
    if (typeof data === "string") return data;
    if (data instanceof ArrayBuffer) return new TextDecoder("utf-8").decode(data);
    return null;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

/** Does a path exist at `ref`? One call each; used for a gate's `requires_files`. */
export async function fileExists(client: RepoClient, path: string, ref: string): Promise<boolean> {
  try {
    await client.octokit.rest.repos.getContent({ owner: client.owner, repo: client.repo, path, ref });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
