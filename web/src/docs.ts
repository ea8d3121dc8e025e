// Swagger UI for the API's OpenAPI description, bundled from swagger-ui-dist: nothing is
// fetched from elsewhere (no online validator).
import "swagger-ui-dist/swagger-ui.css";
import SwaggerUI from "swagger-ui-dist/swagger-ui-es-bundle.js";

SwaggerUI({ url: "/openapi.json", dom_id: "#swagger-ui", validatorUrl: null, deepLinking: true });
