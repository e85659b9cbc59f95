// TODO(onboarding): being built.
import { h } from "../ui.js";

export async function render(main) {
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: "onboarding" }));
}

/** Whether this person should see the first-run introduction before anything else. */
export const needed = (user) => false;
