// Boot, hash routing, sign-in state, sync triggers and the "update available" banner.
import { h, announce } from "./ui.js";
import { t } from "./i18n.js";
import * as api from "./api.js";
import * as store from "./store.js";
import * as outbox from "./outbox.js";
import * as today from "./views/today.js";
import * as week from "./views/week.js";
import * as trends from "./views/trends.js";
import * as flags from "./views/flags.js";
import * as sync from "./views/sync.js";
import * as signin from "./views/signin.js";
import * as caseload from "./views/caseload.js";
import * as client from "./views/client.js";
import * as more from "./views/more.js";
import * as share from "./views/share.js";
import * as access from "./views/access.js";
import * as studies from "./views/studies.js";
import * as reminders from "./views/reminders.js";
import * as invite from "./views/invite.js";
import * as verify from "./views/verify.js";
import * as reset from "./views/reset.js";
import * as targets from "./views/targets.js";
import * as questionnaires from "./views/questionnaires.js";
import * as Q from "./questionnaires.js";
import * as people from "./views/people.js";
import * as goals from "./views/goals.js";
import * as tasks from "./views/tasks.js";
import * as plan from "./views/plan.js";
import * as workDays from "./views/work_days.js";
import * as settings from "./views/settings.js";
import * as onboarding from "./views/onboarding.js";
import * as events from "./views/events.js";
import * as i18n from "./i18n.js";
import * as theme from "./theme.js";
import { signOut as signOutFlow, flushRevocations } from "./signout.js";
import * as taskOutbox from "./task_outbox.js";
import * as eventOutbox from "./event_outbox.js";
import * as remind from "./reminders.js";
import * as D from "./diary.js";

// Per role: the navigation (catalogue keys, read in the current language by roleOf), every
// route it may open, and where it starts.
const ROLES = {
  client: {
    nav: [["today", "common.nav.today"], ["week", "common.nav.week"], ["trends", "common.nav.trends"], ["questionnaires", "common.nav.questionnaires"], ["flags", "common.nav.flags"], ["sync", "common.nav.sync"], ["more", "common.nav.more"]],
    routes: ["today", "week", "trends", "questionnaires", "flags", "sync", "more", "share", "access", "studies", "reminders", "targets", "people", "goals", "tasks", "plan", "work-days", "settings", "onboarding", "events"],
    sub: { settings: "more", onboarding: "more", events: "more", share: "more", access: "more", studies: "more", reminders: "more", targets: "more", people: "more", goals: "more", tasks: "more", plan: "more", "work-days": "more" },
  },
  clinician: {
    nav: [["caseload", "common.nav.caseload"], ["invite", "common.nav.invite"], ["reminders", "common.nav.reminders"]],
    routes: ["caseload", "client", "invite", "reminders"],
    sub: { client: "caseload" },
  },
  researcher: { nav: [["studies", "common.nav.studies"]], routes: ["studies"], sub: {} },
  admin: { nav: [["caseload", "common.nav.caseload"]], routes: ["caseload", "client"], sub: { client: "caseload" } },
};
const ROUTES = { today, week, trends, questionnaires, flags, sync, signin, caseload, client, more, share, access, studies, reminders, invite, verify, reset, targets, people, goals, tasks, plan, "work-days": workDays, settings, onboarding, events };
// Opened from mailed links: they work signed in or not.
const OPEN = ["verify", "reset"];
const roleOf = (user) => {
  const role = ROLES[user?.role] || ROLES.admin;
  return { ...role, nav: role.nav.map(([route, key]) => [route, t(key)]) };
};
const home = (user) => roleOf(user).routes[0];

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const syncLink = document.getElementById("sync-state");
const signOutButton = document.getElementById("sign-out");
const banner = document.getElementById("banner");

const ctx = {
  user: null,
  base: "",
  routeBase: "#",
  needsSignIn: false,
  navigate: (hash) => {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  signedIn,
  notice: (text) => {
    banner.querySelector(".notice-banner")?.remove();
    banner.append(h("div", { class: "banner-item banner-soft notice-banner", role: "status" }, h("span", { text })));
  },
  setUser: async (user) => {
    ctx.user = { ...ctx.user, ...user };
    await store.setKV("user", ctx.user);
    checkReminder();
  },
};

let cleanup = null;
let firstRoute = true;

async function route() {
  if (typeof cleanup === "function") cleanup();
  cleanup = null;
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, query = ""] = raw.split("?");
  const parts = path.split("/").filter(Boolean);
  const params = new URLSearchParams(query);
  let name = parts[0] || "";
  const signed = Boolean(api.getToken() && ctx.user);
  if (!signed && name !== "signin" && !OPEN.includes(name)) name = "signin";
  if (signed && !OPEN.includes(name) && !(name === "signin" && ctx.needsSignIn) && !roleOf(ctx.user).routes.includes(name)) name = home(ctx.user);
  if (signed && name !== "onboarding" && !OPEN.includes(name) && ctx.user.role === "client" && onboarding.needed(ctx.user)) name = "onboarding";
  drawNav(name);
  main.replaceChildren();
  const view = h("div", { class: "view" });
  main.append(view);
  try {
    cleanup = await ROUTES[name].render(view, { ...ctx, base: "", routeBase: "#" }, params, parts.slice(1));
  } catch (error) {
    view.append(h("p", { class: "notice notice-error", role: "alert", text: t("common.error.view") }));
    console.error("view failed:", error?.name); // the name only: a message may quote data
  }
  if (!firstRoute) view.querySelector("#view-heading")?.focus();
  firstRoute = false;
  checkReminder();
}

function drawNav(current) {
  nav.replaceChildren();
  const signed = Boolean(api.getToken() && ctx.user);
  signOutButton.hidden = !signed;
  syncLink.hidden = !signed || ctx.user.role !== "client";
  if (!signed) return;
  const role = roleOf(ctx.user);
  const items = role.nav;
  const active = role.sub[current] || current;
  nav.append(h("ul", {}, items.map(([key, text]) =>
    h("li", {}, h("a", { href: `#/${key}`, class: key === active ? "active" : null, "aria-current": key === active ? "page" : null, text })))));
}

async function drawSyncState() {
  if (!ctx.user || ctx.user.role !== "client") return;
  let items = [];
  try {
    items = [...(await outbox.allItems()), ...(await taskOutbox.items()), ...(await eventOutbox.items())];
  } catch {
    return;
  }
  const count = (s) => items.filter((i) => i.state === s).length;
  let text = t("common.sync.allSynced");
  let kind = "ok";
  if (count("conflict")) [text, kind] = [t("common.sync.toResolve", { count: count("conflict") }), "warn"];
  else if (count("auth") || ctx.needsSignIn) [text, kind] = [t("common.sync.signIn"), "warn"];
  else if (count("invalid")) [text, kind] = [t("common.sync.invalid", { count: count("invalid") }), "error"];
  else if (count("pending")) [text, kind] = [t("common.sync.pending", { count: count("pending") }), "pending"];
  syncLink.textContent = text;
  syncLink.className = `sync-state badge badge-${kind}`;
}

async function signedIn(tokenResponse) {
  const previous = await store.getKV("user");
  if (previous && previous.id !== tokenResponse.user.id) {
    // A different person on this device: nothing of the previous one stays.
    await store.wipe();
  }
  await store.setKV("token", tokenResponse.token);
  await store.setKV("user", tokenResponse.user);
  api.setToken(tokenResponse.token);
  ctx.user = tokenResponse.user;
  ctx.needsSignIn = false;
  banner.querySelector(".signin-banner")?.remove();
  if (navigator.storage?.persist) navigator.storage.persist().catch(() => {});
  announce(t("common.signedIn"));
  ctx.navigate(`#/${home(ctx.user)}`);
  outbox.retryNow().catch(() => {});
  taskOutbox.retryNow().catch(() => {});
  eventOutbox.retryNow().catch(() => {});
  Q.refresh().catch(() => {}); // questionnaires and the crisis text, for offline use
}

// The fallback reminder: a gentle banner when a reminder time has passed and today is empty.
let reminderCheck = Promise.resolve();
function checkReminder() {
  reminderCheck = reminderCheck.then(async () => {
    let date = null;
    try {
      date = api.getToken() && !ctx.needsSignIn ? await remind.due(ctx.user) : null;
    } catch {
      date = null;
    }
    const existing = banner.querySelector(".reminder-banner");
    banner.dataset.reminder = date ? "due" : "none";
    if (!date) return existing?.remove();
    if (existing) return;
    const href = date === D.today() ? "#/today" : `#/today?date=${date}`;
    banner.append(h("div", { class: "banner-item banner-soft reminder-banner", role: "status" },
      h("a", { href, text: t("common.reminder.link") }),
      h("span", { text: t("common.reminder.text") })));
  });
  return reminderCheck;
}

api.whenUnauthorized(() => {
  if (ctx.needsSignIn || !ctx.user) return;
  ctx.needsSignIn = true;
  const link = h("a", { href: "#/signin", text: t("common.session.signInAgain") });
  banner.append(h("div", { class: "banner-item signin-banner", role: "status" },
    h("span", { text: t("common.session.ended") }), " ", link));
  drawSyncState();
});

async function signOut() {
  if (await signOutFlow(ctx)) {
    banner.querySelector(".signin-banner")?.remove();
    banner.querySelector(".reminder-banner")?.remove();
    banner.querySelector(".notice-banner")?.remove();
    ctx.navigate("#/signin");
  }
}

// ----- service worker: offline shell, background sync, updates -----
let updateRequested = false;

function showUpdate(worker) {
  if (banner.querySelector(".update-banner")) return;
  const button = h("button", { type: "button", class: "btn btn-primary btn-small", text: t("common.update.now") });
  button.addEventListener("click", () => {
    updateRequested = true;
    worker.postMessage({ type: "SKIP_WAITING" });
  });
  banner.append(h("div", { class: "banner-item update-banner", role: "status" },
    h("span", { text: t("common.update.ready") }), " ", button));
}

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  const container = navigator.serviceWorker;
  container.addEventListener("controllerchange", () => {
    if (updateRequested) location.reload();
  });
  container.addEventListener("message", async (event) => {
    if (event.data?.type === "OPEN" && typeof event.data.hash === "string" && event.data.hash.startsWith("#/")) {
      ctx.navigate(event.data.hash);
      return;
    }
    if (event.data?.type !== "REPLAY") return;
    await outbox.replay({ force: true }).catch(() => {});
    const left = (await outbox.allItems().catch(() => [])).filter((i) => i.state === "pending").length;
    event.ports[0]?.postMessage({ done: left === 0 });
  });
  try {
    const registration = await container.register("/sw.js", { scope: "/", type: "module" });
    if (registration.waiting && container.controller) showUpdate(registration.waiting);
    registration.addEventListener("updatefound", () => {
      const worker = registration.installing;
      worker?.addEventListener("statechange", () => {
        if (worker.state === "installed" && container.controller) showUpdate(worker);
      });
    });
    setInterval(() => registration.update().catch(() => {}), 60 * 60 * 1000);
  } catch {
    /* no offline shell, the app still works online */
  }
}

// The page's own texts (index.html is English): in the current language.
function translateShell() {
  document.querySelector(".skip")?.replaceChildren(t("common.skip"));
  signOutButton.textContent = t("common.signOut");
  nav.setAttribute("aria-label", t("common.nav.label"));
}

async function boot() {
  i18n.init();
  translateShell();
  theme.init();
  signOutButton.addEventListener("click", signOut);
  await api.loadToken();
  ctx.user = (await store.getKV("user")) || null;
  if (!api.getToken()) ctx.user = null;
  window.addEventListener("hashchange", route);
  outbox.onChange(drawSyncState);
  taskOutbox.onChange(drawSyncState);
  eventOutbox.onChange(drawSyncState);
  outbox.onChange(() => checkReminder());
  await route();
  drawSyncState();
  registerWorker();
  if (ctx.user) {
    api.get("/me").then(async (result) => {
      if (api.ok(result) && ctx.user) {
        ctx.user = { ...ctx.user, ...result.body };
        await store.setKV("user", ctx.user);
        drawNav(location.hash.replace(/^#\/?/, "").split(/[/?]/)[0] || home(ctx.user));
        checkReminder();
      }
    });
    outbox.replay();
    Q.refresh().catch(() => {});
  }
  // A new language (chosen in Settings, or the browser's when none was chosen): the shell's texts.
  window.addEventListener(i18n.CHANGED, () => {
    translateShell();
    drawNav(location.hash.replace(/^#\/?/, "").split(/[/?]/)[0] || (ctx.user ? home(ctx.user) : "signin"));
    drawSyncState();
  });
  window.addEventListener("languagechange", () => {
    if (i18n.chosen()) return;
    const before = i18n.language();
    i18n.choose(null);
    if (i18n.language() !== before) route();
  });
  flushRevocations().catch(() => {});
  window.addEventListener("online", () => flushRevocations().catch(() => {}));
  window.addEventListener("offline", drawSyncState);
  setInterval(checkReminder, 60 * 1000);
  // Both offline queues replay at start, on `online`, back in view and on a timer (pwa/js/queue.js).
  outbox.start(); // diary days and questionnaire answers
  taskOutbox.start(); // task outcomes marked offline (IPT)
  eventOutbox.start(); // life events added, edited or deleted offline
  document.documentElement.classList.add("ready");
}

boot();
