/** Public entry points: the Probot app and the production server. */
export { createApp } from "./app.js";
export { startServer, type StartedServer } from "./server.js";
