// Floe's console: one page, three places (#/query, #/runs, #/runs/<id>), everything through the
// public API with the key kept for this tab.
import { askKey, forgetKey, json } from "./api.js";
import { queryScreen } from "./query.js";
import { runScreen, runsScreen } from "./runs.js";

let leave = null;

function route() {
  const main = document.getElementById("main");
  if (leave) leave();
  leave = null;
  const hash = location.hash || "#/query";
  const run = hash.match(/^#\/runs\/([A-Za-z0-9-]+)$/);
  let screen = "query";
  if (run) {
    screen = "runs";
    leave = runScreen(main, run[1]);
  } else if (hash.startsWith("#/runs")) {
    screen = "runs";
    leave = runsScreen(main);
  } else {
    queryScreen(main); // it puts the focus in the editor
  }
  // A new screen: the focus moves to it (the Query screen's editor has it already).
  if (screen === "runs") main.focus();
  for (const a of document.querySelectorAll("nav a")) {
    if (a.dataset.screen === screen) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

async function who() {
  const box = document.getElementById("who");
  try {
    const me = await json("GET", "/api/v1/whoami");
    box.textContent = `${me.principal}${me.admin ? " (admin)" : ""}`;
  } catch (e) {
    box.textContent = "";
  }
}

document.getElementById("change-key").addEventListener("click", async () => {
  forgetKey();
  if (await askKey("")) {
    who();
    route();
  }
});
window.addEventListener("hashchange", route);
route();
who();
