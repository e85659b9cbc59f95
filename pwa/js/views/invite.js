// Clinician: create a single-use invitation code for a client and show it large.
import { h, errorBox, announce, codeBlock, when } from "../ui.js";
import * as api from "../api.js";

export async function render(main) {
  main.append(h("h2", { id: "view-heading", tabindex: "-1", text: "Invite a client" }),
    h("p", { text: "Create a code and give it to your client in person or by phone. It works once. When they enter it under More → Share with my clinician, they share their diary with you, and they can stop at any time." }));
  const create = h("button", { type: "button", class: "btn btn-primary", text: "Create an invitation code" });
  const out = h("div", { "aria-live": "polite" });
  main.append(h("div", { class: "actions" }, create), out);
  create.addEventListener("click", async () => {
    create.disabled = true;
    const result = await api.post("/care/invitations", {});
    create.disabled = false;
    if (!api.ok(result)) return out.replaceChildren(errorBox(api.message(result)));
    const { code, expires_at: expires } = result.body;
    create.textContent = "Create another code";
    out.replaceChildren(h("section", { class: "card invitation", "aria-labelledby": "code-h" },
      h("h3", { id: "code-h", class: "section-title", text: "Invitation code" }),
      codeBlock(code, "Give your client this code:"),
      h("p", { class: "muted" }, "Valid until ", h("time", { datetime: expires, text: when(expires) }), ". It works once.")));
    announce(`Invitation code created: ${code.split("").join(" ")}.`);
  });
}
