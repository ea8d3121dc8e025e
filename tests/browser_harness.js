// Runs Neo4j Browser's own code (from its bundle, unpacked from neo4j-browser-*.jar) on what
// Grace gives it. stdin: {"bundle": DIR, "editors": [TEXT], "grass": TEXT, "guide": HTML};
// stdout: {"editors": [{"multi", "statements", "params"}], "grass": OBJECT, "guide": HTML}.
// Used by tests/integration/test_browser.py only.
const fs = require("fs");
const path = require("path");

const input = JSON.parse(fs.readFileSync(0, "utf8"));
const files = fs.readdirSync(input.bundle);
const app = fs.readFileSync(path.join(input.bundle, files.find((f) => f.startsWith("app-"))), "utf8");
global.window = global;
global.self = global;
// The app bundle is the webpack runtime applied to its module array: keep the array only.
const modules = eval(app.slice(app.indexOf("}([function") + 2, app.length - 2));
global.webpackJsonp = { push: (chunk) => Object.assign(modules, chunk[1]) };
for (const file of files.filter((f) => f.endsWith(".bundle.js"))) {
  const code = fs.readFileSync(path.join(input.bundle, file), "utf8");
  try {
    eval(code.replace(/^\(this\.webpackJsonp=this\.webpackJsonp\|\|\[\]\)/, "webpackJsonp"));
  } catch (error) {
    // a chunk that needs a DOM at load time is not one these functions use
  }
}
const cache = {};
function req(id) {
  if (cache[id]) return cache[id].exports;
  if (!modules[id]) return {};
  const module = { exports: {} };
  cache[id] = module;
  modules[id].call(module.exports, module, module.exports, req);
  return module.exports;
}
req.r = (e) => Object.defineProperty(e, "__esModule", { value: true });
req.d = (e, n, g) => Object.prototype.hasOwnProperty.call(e, n) || Object.defineProperty(e, n, { enumerable: true, get: g });
req.n = (m) => { const g = m && m.__esModule ? () => m.default : () => m; req.d(g, "a", g); return g; };
req.o = (o, p) => Object.prototype.hasOwnProperty.call(o, p);

// Browser's functions, found by what they export.
function exporting(name) {
  for (const id of Object.keys(modules)) {
    if (!String(modules[id]).includes(name)) continue;
    try {
      const exports = req(id);
      if (exports && typeof exports[name] === "function") return exports[name];
    } catch (error) {
      // not this one
    }
  }
  throw new Error("Browser has no " + name);
}
const extractStatementsFromString = exporting("extractStatementsFromString");
const cleanCommand = exporting("cleanCommand");
const parseLambda = exporting("parseLambda");
const parseGrass = exporting("parseGrass");
const cleanHtml = exporting("cleanHtml");

function editor(text) {
  // handleCommandEpic: several statements when `;` splits the text in more than one part
  const multi = text.split(";").filter((part) => part.trim() !== "").length > 1;
  const statements = (multi ? extractStatementsFromString(text) : [text]).map(cleanCommand);
  const params = statements
    .filter((s) => s.startsWith(":param "))
    .map((s) => {
      const body = s.slice(":param ".length).trim();
      const parsed = parseLambda(body);
      return {
        name: parsed[0].parameters.value,
        variant: parsed[0].variant,
        query: "RETURN " + body.split("=>").slice(1).join("=>").trim(),
      };
    });
  return { multi, statements, params };
}

process.stdout.write(JSON.stringify({
  editors: input.editors.map(editor),
  grass: parseGrass(input.grass),
  guide: cleanHtml(input.guide),
}));
