// TODO(settings): being built.
import { h } from "../ui.js";

export async function render(main) {
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: "settings" }));
}
