// GraphiQL for Grace's API: queries and mutations over HTTP POST to /graphql, subscriptions
// over graphql-transport-ws at the same path. Credentials go in the headers tab.
import "graphiql/setup-workers/vite";
import "graphiql/style.css";
import { GraphiQL } from "graphiql";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { graceFetcher } from "./fetcher";

const DEFAULT_QUERY = `# Grace's GraphQL API. Anonymous callers see only \`health\`.
# Put a credential in the Headers tab below:
#   {"Authorization": "Bearer grace_<id>_<secret>"}
# (an API key: grace keys create USER --name N) or {"X-API-Key": "..."}.
# Uploads also need {"X-Grace-CSRF": "1"}. Subscriptions (over a
# websocket) send the same credential in connection_init.
{ health { status neo4j redis version profile } }
`;

const root = document.getElementById("graphiql");
if (root === null) throw new Error("the page has no #graphiql element");
createRoot(root).render(
  <StrictMode>
    <GraphiQL fetcher={graceFetcher(window.location)} defaultQuery={DEFAULT_QUERY} />
  </StrictMode>,
);
