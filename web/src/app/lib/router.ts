// Screens by the address's hash (`#/conflicts/<id>`): the API serves one page at `/`.

export type Route =
  | { screen: "trust" }
  | { screen: "conflicts" }
  | { screen: "conflict"; id: string }
  | { screen: "approvals" }
  | { screen: "request"; id: string }
  | { screen: "queue" }
  | { screen: "notifications" }
  | { screen: "ingestion" }
  | { screen: "provenance"; id: string | null }
  | { screen: "ask" }
  | { screen: "missing"; path: string };

/** The route a hash names; an empty hash is the trust overview. */
export function parse(hash: string): Route {
  const path = hash.replace(/^#/, "").replace(/^\/+|\/+$/g, "");
  const [head = "", ...rest] = path.split("/");
  const tail = rest.length ? decodeURIComponent(rest.join("/")) : null;
  if (head === "" || head === "trust") return { screen: "trust" };
  if (head === "conflicts") return tail ? { screen: "conflict", id: tail } : { screen: "conflicts" };
  if (head === "approvals") return tail ? { screen: "request", id: tail } : { screen: "approvals" };
  if (head === "queue" && !tail) return { screen: "queue" };
  if (head === "notifications" && !tail) return { screen: "notifications" };
  if (head === "ingestion" && !tail) return { screen: "ingestion" };
  if (head === "provenance") return { screen: "provenance", id: tail };
  if (head === "ask" && !tail) return { screen: "ask" };
  return { screen: "missing", path };
}

/** The hash of a route (ids escaped so any id round-trips). */
export function href(route: Route): string {
  switch (route.screen) {
    case "conflict":
      return `#/conflicts/${encodeURIComponent(route.id)}`;
    case "request":
      return `#/approvals/${encodeURIComponent(route.id)}`;
    case "provenance":
      return route.id ? `#/provenance/${encodeURIComponent(route.id)}` : "#/provenance";
    case "missing":
      return `#/${route.path}`;
    default:
      return `#/${route.screen}`;
  }
}
