// What every screen is given: the request and upload functions, the live link, the caller's abilities,
// the server's optional features, its profile and the tables readable at login.
import type { Abilities } from "./abilities";
import type { Profile } from "./environment";
import type { Features } from "./features";
import type { Request, Upload } from "./graphql";
import type { Live } from "./live";

export interface Session {
  request: Request;
  upload: Upload;
  live: Live;
  abilities: Abilities;
  features: Features;
  profile: Profile;
  /** The tables the caller could read at login (a screen's first load starts from them;
   * reloads ask again, since tables come and go). */
  tables: string[];
}
