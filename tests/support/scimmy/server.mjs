// Second, independent SCIM 2.0 server for sso-scim-wizard's replay tests (127.0.0.1 only).
//
// Usage: node server.mjs --tokens-file FILE [--port PORT]   (PORT 0 = a free port)
//
// npm `scimmy` (resources and schemas) + `scimmy-routers` (the HTTP routes) on Express 5,
// with the handlers an application would write: users and groups in memory, a list that
// SCIMMY's own filter narrows, userName unique regardless of letter case (409). Nothing
// is patched to fail on purpose: what it gets wrong for an IdP is what these packages do
// (see NOTES.md). Bearer tokens are read from --tokens-file on every request.
// Prints `listening http://127.0.0.1:PORT/scim/v2` once it accepts connections.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import express from "express";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
};
const tokensFile = option("--tokens-file", "");
const port = Number(option("--port", "0"));

const tokens = () => {
  try {
    return readFileSync(tokensFile, "utf8")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith("#"));
  } catch {
    return [];
  }
};

const store = { Users: new Map(), Groups: new Map() };
const now = () => new Date().toISOString();

function declare(Resource, map, unique) {
  SCIMMY.Resources.declare(Resource)
    .ingress((resource, instance) => {
      const taken = unique
        && [...map.values()].some((r) => r.id !== resource.id
          && String(r[unique]).toLowerCase() === String(instance[unique]).toLowerCase());
      if (taken) throw new SCIMMY.Types.Error(409, "uniqueness", `${unique} is already in use`);
      if (resource.id) {
        const old = map.get(resource.id);
        if (!old) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
        const next = { ...instance, id: resource.id, meta: { ...old.meta, lastModified: now() } };
        map.set(resource.id, next);
        return next;
      }
      const id = randomUUID();
      const record = { ...instance, id, meta: { created: now(), lastModified: now() } };
      map.set(id, record);
      return record;
    })
    .egress((resource) => {
      if (resource.id) {
        const one = map.get(resource.id);
        if (!one) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
        return one;
      }
      const all = [...map.values()];
      return resource.filter ? resource.filter.match(all) : all;
    })
    .degress((resource) => {
      if (!map.delete(resource.id)) {
        throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
      }
    });
}

declare(SCIMMY.Resources.User, store.Users, "userName");
declare(SCIMMY.Resources.Group, store.Groups, null);

const app = express();
app.use((req, _res, next) => {
  process.stderr.write(`${req.method} ${req.originalUrl}\n`);
  next();
});
app.use("/scim/v2", new SCIMMYRouters({
  type: "bearer",
  handler: (request) => {
    const header = request.header("Authorization") ?? "";
    const match = /^Bearer (.+)$/i.exec(header);
    if (!match || !tokens().includes(match[1])) throw new Error("Authorization failure");
    return "ssw-test";
  },
}));

const server = app.listen(port, "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(`listening http://127.0.0.1:${address.port}/scim/v2\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
