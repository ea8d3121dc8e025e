// swagger-ui-dist ships no types: only what docs.ts calls.
declare module "swagger-ui-dist/swagger-ui-es-bundle.js" {
  interface SwaggerUIOptions {
    url: string;
    dom_id: string;
    validatorUrl: string | null;
    deepLinking: boolean;
  }
  export default function SwaggerUI(options: SwaggerUIOptions): unknown;
}
