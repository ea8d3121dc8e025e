// Grace's web app: one page served at `/`, screens chosen by the address's hash.
import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";

const target = document.getElementById("app");
if (target === null) throw new Error("the page has no #app element");
mount(App, { target });
