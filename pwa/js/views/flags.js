// Flags: what the rules noticed, in plain language, with an acknowledge button.
import { h, loading, errorBox, badge, announce } from "../ui.js";
import * as D from "../diary.js";
import * as api from "../api.js";
import { eventWord } from "./trends.js";

const hm = (minutes) => {
  const m = Math.abs(Math.round(minutes));
  return m >= 60 ? `${Math.floor(m / 60)} h ${m % 60 ? `${m % 60} min` : ""}`.trim() : `${m} min`;
};

export function explain(flag, own = true) {
  return own ? describe(flag) : describe(flag).replace(/^Your /, "Their ");
}

function describe(flag) {
  const e = flag.evidence || {};
  const n = (list) => (Array.isArray(list) ? list.length : 0);
  const days = (k) => `${k} day${k === 1 ? "" : "s"}`;
  switch (flag.rule) {
    case "wake_shift":
    case "bed_shift": {
      const what = flag.rule === "wake_shift" ? "getting-up time" : "bedtime";
      const dir = { later: "later than", earlier: "earlier than", mixed: "away from" }[e.direction] || "away from";
      const biggest = (e.days || []).reduce((m, d) => Math.max(m, Math.abs(d.deviation_minutes || 0)), 0);
      return `Your ${what} moved ${dir} usual on ${days(n(e.days))} in a row${biggest ? ` (by up to ${hm(biggest)})` : ""}.`;
    }
    case "short_sleep": {
      const shortest = (e.days || []).reduce((m, d) => Math.min(m, d.duration_minutes ?? Infinity), Infinity);
      return `Short sleep on ${n(e.days) === 1 ? "one night" : `${n(e.days)} nights`}${shortest < Infinity ? ` (shortest ${hm(shortest)})` : ""}.`;
    }
    case "srm_drop": {
      const w = (e.weeks || [])[0] || {};
      return `Your routine became less regular: weekly SRM fell to ${w.srm ?? "?"} from a usual ${w.baseline_median ?? "?"}.`;
    }
    case "srm_unstable":
      return `Your routine has been irregular: weekly SRM was low for ${n(e.weeks) === 1 ? "a week" : `${n(e.weeks)} weeks`}.`;
    case "anchors_missed":
      return `Several anchors were far from their usual or target times on ${days(n(e.days))}.`;
    case "mood": {
      const word = { elevated: "high", depressed: "low", mixed: "both high and low" }[e.pole] || "out of the usual range";
      return `Mood was ${word} on ${days(n(e.days))}.`;
    }
    case "isolation":
      return `Your first contact of the day was alone on ${days(n(e.days_alone))}.`;
    case "missing_entries":
      return `No diary for ${days(e.days_missing ?? 0)}.`;
    default:
      return "A change in your routine was noticed.";
  }
}

export const ruleTitle = (rule) => ({
  wake_shift: "Getting-up time shifted", bed_shift: "Bedtime shifted", short_sleep: "Short sleep",
  srm_drop: "Routine less regular", srm_unstable: "Irregular routine", anchors_missed: "Anchors off their times",
  mood: "Mood change", isolation: "Time alone", missing_entries: "Diary gaps",
})[rule] || rule.replace(/_/g, " ");

export async function render(main, ctx) {
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: "Flags" }),
    h("p", { class: "hint", text: ctx.base
      ? "Changes in this client's routine worth talking about. Acknowledge a flag once you have discussed it."
      : "Changes in your routine worth talking about with your therapist. They are prompts, not diagnoses." }));
  const body = h("div", {}, loading());
  main.append(body);
  const result = await api.get(`${ctx.base}/flags`);
  body.replaceChildren();
  if (!api.ok(result)) return body.append(errorBox(`Flags are not available: ${api.message(result)}`));
  const flags = result.body.flags || [];
  if (!flags.length) return body.append(h("p", { class: "notice notice-info", text: "No flags. Nothing unusual was noticed." }));
  const list = h("ul", { class: "flags" });
  for (const flag of flags) list.append(flagItem(flag, ctx));
  body.append(list);
}

function flagItem(flag, ctx) {
  const titleId = `flag-${flag.id}`;
  const status = h("span", { class: "flag-status" }, flag.status === "open" ? badge("Open", "warn") : badge("Acknowledged", "ok"));
  const li = h("li", { class: `card flag severity-${flag.severity}`, "aria-labelledby": titleId },
    h("div", { class: "row between" },
      h("h3", { id: titleId, class: "section-title", text: ruleTitle(flag.rule) }),
      badge(`${flag.severity[0].toUpperCase()}${flag.severity.slice(1)}`, `sev-${flag.severity}`)),
    h("p", { text: explain(flag, !ctx.base) }),
    h("p", { class: "muted", text: flag.window_start === flag.window_end ? D.longDate(flag.window_start) : `${D.longDate(flag.window_start)} – ${D.longDate(flag.window_end)}` }),
    flag.explained ? h("p", { class: "notice notice-info", text: `Probably explained by: ${flag.explained_by.map(eventWord).join(", ")}.` }) : null);
  const actions = h("div", { class: "row between" }, status);
  if (flag.status === "open") {
    const ack = h("button", { type: "button", class: "btn btn-secondary", text: "Acknowledge", "aria-describedby": titleId });
    ack.addEventListener("click", async () => {
      ack.disabled = true;
      const result = await api.post(`${ctx.base}/flags/${flag.id}/ack`, {});
      if (api.ok(result)) {
        status.replaceChildren(badge("Acknowledged", "ok"));
        ack.remove();
        announce(`${ruleTitle(flag.rule)} acknowledged.`);
      } else {
        ack.disabled = false;
        actions.append(h("p", { class: "error-text", role: "alert", text: api.message(result) }));
      }
    });
    actions.append(ack);
  }
  li.append(actions);
  return li;
}
