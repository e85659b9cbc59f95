"""A client's record as a FHIR R4 Bundle (docs/fhir.md). No Flask here: the callers
(api/resources/fhir/, api/cli_fhir.py) pass the deployment's address, the dates and the SRM
settings.

- `bundle`: assembles, validates (fhir.resources) and serializes one bundle; `build` is the
  entry point.
- `codes`: the code systems cited, and Cadence's own as CodeSystem resources.
- `refs`: urn:uuid fullUrls, references, FHIR date and time formats.
- `people`: Patient and Practitioner.
- `observations`: anchors, mood, sleep duration, weekly SRM and SRM-5.
- `questionnaires`: scale answers as QuestionnaireResponses, and their totals.
- `goals`, `flags`, `consents`: targets, open flags, care links.
"""
