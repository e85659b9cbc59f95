// The relapse-prevention plan's vocabulary (docs/api-ipt.md §4): poles, stages, the rhythm and
// scale signals a warning sign may be tied to, and the box that shows a client's own action
// steps beside a flag that matches one of their signs.
import { h } from "../ui.js";
import { t } from "../i18n.js";
import { ruleTitle, hm } from "./evidence.js";

export const POLES = ["elevated", "depressed"];
export const STAGES = ["early", "late"];
// The words in the person's language.
export const poleText = (pole) => (POLES.includes(pole) ? t(`ipt.pole.${pole}`) : pole);
export const stageText = (stage) => (STAGES.includes(stage) ? t(`ipt.stage.${stage}`) : stage);

// Each signal rule with the parameters it takes: direction and minutes for a shift, a mood pole,
// or a minimum questionnaire total.
export const SIGNALS = [
  ["bed_shift", ["direction", "min_minutes"]],
  ["wake_shift", ["direction", "min_minutes"]],
  ["short_sleep", []],
  ["srm_drop", []],
  ["srm_unstable", []],
  ["anchors_missed", []],
  ["isolation", []],
  ["mood", ["pole"]],
  ["missing_entries", []],
  ["incomplete_week", []],
  ["asrm_high", ["min_total"]],
  ["phq9_high", ["min_total"]],
  ["suicide_risk", []],
];
export const TOTAL_MAX = { asrm_high: 20, phq9_high: 27 };
const SCALE_RULES = ["asrm_high", "phq9_high", "suicide_risk"];
export const signalTitle = (rule) => (SCALE_RULES.includes(rule) ? t(`plan.signalOf.${rule}`) : ruleTitle(rule));
export const paramsOf = (rule) => (SIGNALS.find(([r]) => r === rule) || [rule, []])[1];

/** "Bedtime shifted: later by at least 2 h" */
export function signalText(signal) {
  if (!signal || !signal.rule) return null;
  const parts = [];
  if (["later", "earlier"].includes(signal.direction)) parts.push(t(`plan.signalOf.${signal.direction}`));
  if (signal.min_minutes) parts.push(t(signal.direction ? "plan.signalOf.byAtLeast" : "plan.signalOf.atLeast", { time: hm(signal.min_minutes) }));
  if (signal.pole) parts.push(t(signal.pole === "elevated" ? "plan.signalOf.high" : "plan.signalOf.low"));
  if (signal.min_total !== undefined && signal.min_total !== null) parts.push(t("plan.signalOf.total", { total: signal.min_total }));
  const title = signalTitle(signal.rule);
  return parts.length ? t("plan.signalOf.line", { title, details: parts.join(" ") }) : title;
}

/** Action steps from the client's plan for one flag (the flag list's `plan_actions`). */
export function flagPlanBox(entries, own) {
  if (!entries || !entries.length) return null;
  return h("div", { class: "plan-actions-box" },
    entries.map((e) => h("div", { class: "plan-action", "data-sign": String(e.sign_index) },
      h("p", { class: "plan-action-title" },
        h("strong", { text: own ? t("ipt.yourPlan") : t("ipt.theirPlan") }),
        `${e.sign} `,
        h("span", { class: "muted", text: `(${stageText(e.stage).toLowerCase()}, ${poleText(e.pole).toLowerCase()})` })),
      (e.actions || []).length
        ? h("ul", { class: "plan-action-steps" }, e.actions.map((a) => h("li", { text: a })))
        : h("p", { class: "muted", text: own ? t("ipt.noStepsOwn") : t("ipt.noSteps") }))),
    own ? h("p", { class: "hint" }, h("a", { href: "#/plan", text: t("ipt.openPlan") })) : null);
}
