"""Languages and readable errors in the PWA: the catalogue is complete in English and Spanish, a
Spanish browser gets the client's screens in Spanish (and keeps a language chosen by hand across
a reload, offline too), and failed requests are told in sentences a person understands: the
rate limit, an address already registered, a field too long, never "5 per 1 minute" or
"email: Already registered."."""

import re
from pathlib import Path

import pytest
from marshmallow import validate

from api.resources.auth.schemas import CredentialsSchema, RegisterSchema
from api.resources.auth.verification_schemas import ResetConfirmSchema, ResetRequestSchema
from api.resources.care.schemas import RedeemSchema
from api.resources.flags.schemas import AcknowledgeSchema, ContextInSchema
from api.resources.studies.schemas import JoinSchema, StudyInSchema
from tests.conftest import PASSWORD
from tests.e2e.pwa_helpers import (
    axe_violations,
    new_context,
    open_app,
    register,
    wait_for_shell,
)

PWA = Path(__file__).resolve().parents[2] / "pwa" / "js"

# The files whose every visible text goes through t() (pwa/js/locales/common.js), and for some
# only their client part (the researcher's and the clinician's forms stay English).
CONVERTED = {
    "app.js": None,
    "ui.js": None,
    "api.js": None,
    "questionnaires.js": None,
    "views/signin.js": None,
    "views/verify.js": None,
    "views/reset.js": None,
    "views/flags.js": None,
    "views/share.js": None,
    "views/access.js": None,
    "views/questionnaires.js": None,
    "views/work_days.js": None,
    "views/studies.js": ("// ----- client -----", None),
    "views/targets.js": ("async function renderOwn", "function targetForm"),
    "views/tasks.js": ("export async function render", "// ----- clinician -----"),
    "views/plan_signs.js": ("export function flagPlanBox", None),
    "views/plan.js": None,
    "views/people.js": None,
    "views/evidence.js": None,
}

CATALOGUE = "import('/js/i18n.js').then((m) => m.catalogue())"


def _read(name: str) -> str:
    text = (PWA / name).read_text()
    part = CONVERTED.get(name)
    if part:
        start, end = part
        text = text[text.index(start) : text.index(end) if end else None]
    return text


# A string literal that reads as English words: a capital, lower-case letters, then a space or
# punctuation (button names, headings, sentences). Comments and imports are not looked at.
ENGLISH = re.compile(r"""(["`'])[A-Z][a-z]+[ ,:.!?][^"`'\n]*\1""")
NOT_SHOWN = {"`Bearer ${token}`"}  # the Authorization header


def hard_coded(text: str) -> list[str]:
    lines = [
        line
        for line in text.splitlines()
        if not line.lstrip().startswith(("//", "/*", "*", "import "))
    ]
    return [m.group(0) for m in ENGLISH.finditer("\n".join(lines)) if m.group(0) not in NOT_SHOWN]


def test_converted_files_have_no_hard_coded_english():
    found = {name: hard_coded(_read(name)) for name in CONVERTED}
    assert {name: texts for name, texts in found.items() if texts} == {}


def test_the_literal_check_finds_english_texts():
    """The check above can fail: it finds the texts these screens had before they were converted."""
    before = """
      main.append(h("h2", { id: "view-heading", tabindex: "-1", text: "Work days" }));
      announce(`Saved. ${describe(stored)}`);
      const stop = h("button", { type: "button", "aria-label": `Stop sharing with ${name}` });
      status.append(h("p", { class: "notice notice-warn" }, "Saved on this device. ", link));
      show("notice-error", "Enter your email.");
    """
    assert len(hard_coded(before)) == 5


# ----- the catalogue -----


def _keys_used(name: str) -> set[str]:
    return set(re.findall(r"""\bt\(\s*["'`]([\w.]+)["'`]""", _read(name)))


def test_catalogue_is_complete(server, browser):
    context = new_context(browser)
    page = open_app(context, server)
    page.get_by_role("heading", name="Sign in").wait_for()
    catalogue = page.evaluate(CATALOGUE)
    context.close()
    en, es = catalogue["en"], catalogue["es"]
    assert set(en) == set(es), {
        "only English": set(en) - set(es),
        "only Spanish": set(es) - set(en),
    }
    assert [key for key, text in {**en, **es}.items() if not text.strip()] == []
    # Not left untranslated: no text of three or more words the same in both.
    words = lambda text: re.sub(r"\{\w+\}", "", text).split()  # noqa: E731
    assert [key for key in en if es[key] == en[key] and len(words(en[key])) >= 3] == []
    # The same {placeholders} in both languages.
    names = lambda text: sorted(re.findall(r"\{(\w+)\}", text))  # noqa: E731
    assert [key for key in en if names(en[key]) != names(es[key])] == []
    # Every key the converted files ask for exists (as itself or in plural forms).
    plural = {key.rsplit(".", 1)[0] for key in en if key.rsplit(".", 1)[-1] in ("one", "other")}
    used = set().union(*(_keys_used(name) for name in CONVERTED))
    assert sorted(k for k in used if k not in en and k not in plural) == []
    assert len(used) > 200  # the check above read the files


# ----- Spanish -----


def _sign_in_spanish(page, email: str) -> None:
    page.get_by_role("heading", name="Iniciar sesión").wait_for()
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.locator("form.diary[data-loaded]").wait_for()  # no introduction: not registered here


def _open(page, route: str, heading: str) -> None:
    page.evaluate(f"location.hash = '#/{route}'")
    page.get_by_role("heading", name=heading, exact=True).wait_for()


SPANISH_SCREENS = [
    ("flags", "Avisos"),
    ("questionnaires", "Cuestionarios"),
    ("share", "Compartir con mi clínico"),
    ("access", "Quién ha visto mis datos"),
    ("targets", "Mis horas objetivo"),
    ("work-days", "Días de trabajo"),
    ("studies", "Estudios de investigación"),
]


def test_a_spanish_browser_gets_the_client_screens_in_spanish(server, browser):
    status, _, _ = server.request(
        "POST", "/api/v1/auth/register", {"email": "ana@example.org", "password": PASSWORD}
    )
    assert status == 202
    context = new_context(browser, locale="es-ES")
    page = open_app(context, server)
    page.get_by_role("link", name="Crear una cuenta").wait_for()
    assert page.evaluate("document.documentElement.lang") == "es"
    assert axe_violations(page) == []
    _sign_in_spanish(page, "ana@example.org")

    nav = page.locator("#nav")
    for word in ["Hoy", "Semana", "Tendencias", "Cuestionarios", "Avisos", "Sincronizar", "Más"]:
        nav.get_by_role("link", name=word, exact=True).wait_for()
    assert page.locator("#sign-out").inner_text() == "Cerrar sesión"
    assert page.get_by_role("navigation", name="Principal").count() == 1

    for route, heading in SPANISH_SCREENS:
        _open(page, route, heading)
        page.locator("#main [role=status][class=muted]").wait_for(state="detached")
        assert axe_violations(page) == [], route
        assert page.errors == [], route
    # The work-day checkboxes are the locale's weekday names.
    _open(page, "work-days", "Días de trabajo")
    page.get_by_label("Lunes").check()
    page.get_by_role("button", name="Guardar días de trabajo").click()
    page.locator(".work-days-current").get_by_text("Sueles trabajar estos días: lunes.").wait_for()

    # Dates in the Spanish format.
    long = page.evaluate("import('/js/i18n.js').then((m) => m.formatDate('2026-03-02'))")
    assert long == "lunes, 2 de marzo"
    assert page.evaluate("import('/js/i18n.js').then((m) => m.locale())") == "es-ES"
    context.close()


def test_a_language_chosen_by_hand_stays_across_reloads_and_offline(server, browser):
    context = new_context(browser)
    page = open_app(context, server)
    register(page, "li@example.org")
    wait_for_shell(page)
    nav = page.locator("#nav")
    nav.get_by_role("link", name="Today", exact=True).wait_for()

    page.evaluate("location.hash = '#/settings'")
    page.locator("#settings-language").select_option("es")
    nav.get_by_role("link", name="Hoy", exact=True).wait_for()
    assert page.locator("#sign-out").inner_text() == "Cerrar sesión"

    page.reload()
    nav.get_by_role("link", name="Hoy", exact=True).wait_for()
    context.set_offline(True)
    page.reload()
    nav.get_by_role("link", name="Hoy", exact=True).wait_for()
    assert page.evaluate("document.documentElement.lang") == "es"
    # Offline, the flags cannot be fetched: said in Spanish, in words.
    nav.get_by_role("link", name="Avisos", exact=True).click()
    page.get_by_role("heading", name="Avisos", exact=True).wait_for()
    offline = "No tienes conexión o no se puede contactar con el servidor."
    page.get_by_text(f"Los avisos no están disponibles: {offline}").wait_for()
    context.set_offline(False)
    context.close()


# ----- readable errors -----


def test_too_many_sign_ins_are_told_in_words(server, browser):
    status, _, _ = server.request(
        "POST", "/api/v1/auth/register", {"email": "bo@example.org", "password": PASSWORD}
    )
    assert status == 202
    context = new_context(browser)
    page = open_app(context, server)
    page.get_by_label("Email").fill("bo@example.org")
    page.get_by_label("Password").fill("not the password at all")
    alert = page.locator("#main").get_by_role("alert")
    # Five failed passwords a minute per account and address (README), then 429.
    for _ in range(5):
        page.get_by_role("button", name="Sign in").click()
        alert.get_by_text("Wrong email or password.").wait_for()
        page.evaluate("document.querySelector('#main [role=alert]').remove()")
    page.get_by_role("button", name="Sign in").click()
    alert.wait_for()
    assert alert.inner_text() == "Too many attempts. Please wait a minute and try again."
    context.close()


def test_registering_a_taken_address_says_what_to_do(server, browser):
    status, _, _ = server.request(
        "POST", "/api/v1/auth/register", {"email": "cy@example.org", "password": PASSWORD}
    )
    assert status == 202
    context = new_context(browser)
    page = open_app(context, server)
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Email").fill("cy@example.org")
    page.get_by_label("Password").fill("another long passphrase, quite different")
    page.get_by_role("button", name="Create account").click()
    alert = page.locator("#main").get_by_role("alert")
    alert.get_by_text("If you already have an account with this email").wait_for()
    assert "reset your password" in alert.inner_text()
    # Where the API does say it (an address taken, e.g. by an admin's account): a sentence.
    taken = page.evaluate(
        """import('/js/api.js').then((api) => api.message({ status: 409, server: true, body: {
            message: 'That email is already registered.',
            errors: { email: ['Already registered.'] } } }))"""
    )
    assert taken == (
        "An account with this email already exists. "
        "Sign in, or reset your password if you forgot it."
    )
    context.close()


def test_a_too_long_field_is_named_by_its_label(server, browser):
    context = new_context(browser)
    page = open_app(context, server)
    page.get_by_role("link", name="Create an account").click()
    name = page.get_by_label("Name (optional)")
    assert name.get_attribute("maxlength") == "80"  # as the API allows
    # A browser that does not honour maxlength (or an older form) sends 81 characters.
    name.evaluate("(el) => el.removeAttribute('maxlength')")
    name.fill("N" * 81)
    page.get_by_label("Email").fill("dee@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    alert = page.locator("#main").get_by_role("alert")
    alert.wait_for()
    assert alert.inner_text() == "Name must be between 1 and 80 characters."
    context.close()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_field_errors_become_sentences(server, browser, lang):
    """Marshmallow's messages as sentences naming the field by its label, in each language."""
    context = new_context(browser, locale="es-ES" if lang == "es" else "en-GB")
    page = open_app(context, server)
    page.locator("#main h2").wait_for()
    said = page.evaluate(
        """import('/js/api.js').then((api) => [
            api.message({ status: 422, server: true, body: { message: 'Invalid input: note',
              errors: { note: ['Longer than maximum length 500.'] } } }, { note: 'Your note' }),
            api.message({ status: 422, server: true,
              body: { errors: { email: ['Not a valid email address.'] } } }),
            api.message({ status: 422, server: true,
              body: { errors: { code: ['Missing data for required field.'] } } },
              { code: 'Study code' }),
            api.message({ status: 429, server: true, retryAfter: 61,
              body: { message: '5 per 1 minute' } }),
            api.message({ status: 500, server: true, body: { message: 'Internal Server Error' } }),
            api.message({ status: 0, body: null }),
        ])"""
    )
    if lang == "en":
        assert said == [
            "Your note can be at most 500 characters.",
            "Email: enter an email address, like name@example.org.",
            "Study code: this is required.",
            "Too many attempts. Please wait a minute and try again.",
            "Something went wrong on our side. Please try again in a few minutes.",
            "You are offline or the server cannot be reached.",
        ]
    else:
        assert said[0] == "Your note puede tener como máximo 500 caracteres."
        assert said[1].startswith("Correo electrónico: escribe una dirección de correo")
        assert said[3] == "Demasiados intentos. Espera un minuto y vuelve a intentarlo."
    assert not any("per 1 minute" in text or "Longer than" in text for text in said)
    context.close()


# ----- the forms accept what the API accepts -----


def _max(schema, name: str) -> int:
    field = schema._declared_fields[name]
    return next(v.max for v in field.validators if isinstance(v, validate.Length))


FORMS = [
    ("views/signin.js", 'id: "email"', RegisterSchema, "email"),
    ("views/signin.js", 'id: "password"', RegisterSchema, "password"),
    ("views/signin.js", 'id: "display-name"', RegisterSchema, "display_name"),
    ("views/signin.js", 'id: "otp"', CredentialsSchema, "otp"),
    ("views/reset.js", 'id: "new-password"', ResetConfirmSchema, "password"),
    ("views/reset.js", 'id: "email"', ResetRequestSchema, "email"),
    ("views/share.js", 'id: "invite-code"', RedeemSchema, "code"),
    ("views/studies.js", 'id: "study-code"', JoinSchema, "code"),
    ("views/studies.js", 'id: "study-name"', StudyInSchema, "name"),
    ("views/studies.js", 'id: "study-description"', StudyInSchema, "description"),
    ("views/studies.js", 'id: "study-consent-version"', StudyInSchema, "consent_version"),
    ("views/studies.js", 'id: "study-consent-text"', StudyInSchema, "consent_text"),
    ("views/flags.js", "id: noteId", AcknowledgeSchema, "note"),
    ("views/flags.js", "id: noteId", ContextInSchema, "note"),
]


@pytest.mark.parametrize(("name", "anchor", "schema", "field"), FORMS)
def test_form_lengths_match_the_api(name, anchor, schema, field):
    source = (PWA / name).read_text()
    found = re.findall(re.escape(anchor) + r'[^}]*?maxlength: "(\d+)"', source)
    assert found, f"{anchor} in {name} has no maxlength"
    assert {int(n) for n in found} == {_max(schema, field)}
